//! [`RawQuery`]: a query over one entity set whose options are raw OData text.

use futures::TryStreamExt;
use serde::de::DeserializeOwned;
use url::Url;

use super::encode::push_option;
use crate::client::Client;
use crate::edm::write_percent_encoded_path_segment;
use crate::error::{Error, Result};
use crate::paging::{self, Pages, RowDecoder, Rows, Serde};
use crate::wire::{CROSS_COMPANY, Prepared, check_segment};

/// A query over one entity set with options given as OData text.
///
/// This is the escape hatch under the typed query builders: nothing checks that the properties
/// exist or that the filter is well formed, but every value is percent-encoded correctly. Made
/// by [`Client::query`]. Stream it, or read its first page inside a `$batch` with
/// [`Batch::get_raw`](crate::Batch::get_raw).
///
/// ```no_run
/// # use futures::TryStreamExt;
/// # async fn run(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
/// let mut rows = client
///     .query("CustomersV3")
///     .filter("CustomerGroupId eq '10'")
///     .select(["CustomerAccount", "OrganizationName"])
///     .order_by("CustomerAccount")
///     .stream::<serde_json::Value>();
/// while let Some(row) = rows.try_next().await? {
///     println!("{row}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a query does nothing until it is streamed"]
pub struct RawQuery {
    client: Client,
    entity_set: String,
    filter: Option<String>,
    select: Vec<String>,
    expand: Vec<String>,
    order_by: Vec<String>,
    top: Option<u64>,
    skip: Option<u64>,
    count: bool,
    cross_company: bool,
    custom: Vec<(String, String)>,
    /// Why the query cannot be sent, found while it was built.
    invalid: Option<String>,
}

impl RawQuery {
    pub(crate) fn new(client: Client, entity_set: String) -> Self {
        RawQuery {
            client,
            entity_set,
            filter: None,
            select: Vec::new(),
            expand: Vec::new(),
            order_by: Vec::new(),
            top: None,
            skip: None,
            count: false,
            cross_company: false,
            custom: Vec::new(),
            invalid: None,
        }
    }

    /// The client the query is sent with.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Marks the query as unsendable: [`url`](Self::url) then fails with this message.
    pub(crate) fn invalid(mut self, problem: String) -> Self {
        self.invalid.get_or_insert(problem);
        self
    }

    /// Sets `$filter`; a second call combines both with `and`.
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        let expression = expression.into();
        self.filter = Some(match self.filter.take() {
            None => expression,
            Some(previous) => format!("({previous}) and ({expression})"),
        });
        self
    }

    /// Adds properties to `$select`.
    pub fn select<I, S>(mut self, properties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.select.extend(properties.into_iter().map(Into::into));
        self
    }

    /// Adds one `$expand` item, e.g. `SalesOrderLines($select=ItemNumber)`.
    pub fn expand(mut self, item: impl Into<String>) -> Self {
        self.expand.push(item.into());
        self
    }

    /// Adds one `$orderby` item, e.g. `OrganizationName desc`.
    pub fn order_by(mut self, item: impl Into<String>) -> Self {
        self.order_by.push(item.into());
        self
    }

    /// Sets `$top`: at most this many rows in all, across pages.
    pub fn top(mut self, rows: u64) -> Self {
        self.top = Some(rows);
        self
    }

    /// Sets `$skip`.
    pub fn skip(mut self, rows: u64) -> Self {
        self.skip = Some(rows);
        self
    }

    /// Asks for `$count=true`: each [`Page`](crate::Page) then carries the total number of matching rows.
    pub fn count(mut self) -> Self {
        self.count = true;
        self
    }

    /// Adds F&O's `cross-company=true`: rows of every company the caller may read, instead of
    /// only the caller's default company.
    pub fn cross_company(mut self) -> Self {
        self.cross_company = true;
        self
    }

    /// Adds a custom query option `name=value` (encoded like every other value).
    pub fn option(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom.push((name.into(), value.into()));
        self
    }

    /// The URL this query requests first.
    ///
    /// # Errors
    /// [`Error::Config`] when the entity set name is empty or not a single path segment, or
    /// when the typed query it came from holds a selection that cannot be sent.
    pub fn url(&self) -> Result<Url> {
        self.prepare().1?.url(self.client.service_root())
    }

    /// The client and the request for the first page, alone (see [`pages`](Self::pages)) or
    /// in a `$batch`.
    pub(crate) fn prepare(&self) -> (Client, Result<Prepared>) {
        (self.client.clone(), self.prepare_request())
    }

    fn prepare_request(&self) -> Result<Prepared> {
        if let Some(problem) = &self.invalid {
            return Err(Error::config(format!(
                "query over {}: {problem}",
                self.entity_set
            )));
        }
        check_segment("entity set", &self.entity_set)?;
        let mut query = String::new();
        if let Some(filter) = &self.filter {
            push_option(&mut query, "$filter", filter);
        }
        if !self.select.is_empty() {
            push_option(&mut query, "$select", &self.select.join(","));
        }
        if !self.expand.is_empty() {
            push_option(&mut query, "$expand", &self.expand.join(","));
        }
        if !self.order_by.is_empty() {
            push_option(&mut query, "$orderby", &self.order_by.join(","));
        }
        if let Some(top) = self.top {
            push_option(&mut query, "$top", &top.to_string());
        }
        if let Some(skip) = self.skip {
            push_option(&mut query, "$skip", &skip.to_string());
        }
        if self.count {
            push_option(&mut query, "$count", "true");
        }
        if self.cross_company {
            let (name, value) = CROSS_COMPANY;
            push_option(&mut query, name, value);
        }
        for (name, value) in &self.custom {
            push_option(&mut query, name, value);
        }
        let mut path = String::new();
        write_percent_encoded_path_segment(&self.entity_set, &mut path);
        Ok(paging::page_request(
            &self.client,
            path,
            query,
            format!("page of {}", self.entity_set),
        ))
    }

    /// The result pages, fetched one at a time as the stream is polled, following
    /// `@odata.nextLink` until the server sends none.
    pub fn pages<T: DeserializeOwned + Send + 'static>(self) -> Pages<T> {
        self.pages_with(Serde::new())
    }

    /// The result pages with rows decoded by `decoder`.
    pub(crate) fn pages_with<D: RowDecoder>(self, decoder: D) -> Pages<D::Row> {
        let first = self.url();
        paging::pages(self.client, self.entity_set, first, decoder)
    }

    /// The first row, asking the service for one row only (`$top=1`); `None` when nothing
    /// matches.
    ///
    /// # Errors
    /// As for [`stream`](Self::stream).
    pub async fn first<T: DeserializeOwned + Send + 'static>(self) -> Result<Option<T>> {
        self.top(1).stream().try_next().await
    }

    /// Every row in one `Vec`, or [`Error::RowLimitExceeded`] when more than `max_rows` match:
    /// a cap that fails loudly instead of returning a silently cut-off result.
    ///
    /// # Errors
    /// [`Error::RowLimitExceeded`], or any error of [`stream`](Self::stream).
    pub async fn collect_all<T: DeserializeOwned + Send + 'static>(
        self,
        max_rows: usize,
    ) -> Result<Vec<T>> {
        let url = self.url()?;
        self.stream().collect_capped(max_rows, url.as_str()).await
    }

    /// The result rows, one page in memory at a time; the next page is fetched only when the
    /// rows of the current one have been taken.
    pub fn stream<T: DeserializeOwned + Send + 'static>(self) -> Rows<T> {
        self.pages().rows()
    }
}
