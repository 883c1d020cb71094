//! Printing small token streams and comparing the text with what rustfmt writes.

use quote::quote;

use super::print;

#[test]
fn items_fields_and_docs() {
    let code = print(quote! {
        /// A customer.
        #[derive(Debug, ::serde::Deserialize)]
        pub struct Customer {
            /// `Name` (`Edm.String`), "quoted" \ back.
            #[serde(rename = "Name")]
            pub name: Option<String>,
            #[doc = "Line one.\nLine two."]
            pub etag: Option<::d365fo_odata::ETag>,
        }
        impl ::d365fo_odata::Ordered<::d365fo_odata::profile::GenericOData> for Customer {}
    });
    assert_eq!(
        code,
        "/// A customer.\n\
         #[derive(Debug, ::serde::Deserialize)]\n\
         pub struct Customer {\n    \
             /// `Name` (`Edm.String`), \"quoted\" \\ back.\n    \
             #[serde(rename = \"Name\")]\n    \
             pub name: Option<String>,\n    \
             #[doc = \"Line one.\\nLine two.\"]\n    \
             pub etag: Option<::d365fo_odata::ETag>,\n\
         }\n\
         impl ::d365fo_odata::Ordered<::d365fo_odata::profile::GenericOData> for Customer {}\n"
    );
}

#[test]
fn impl_headers_paths_closures_and_macros() {
    let code = print(quote! {
        impl<'de> ::serde::Deserialize<'de> for Flags {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                let names: Vec<&str> = text.split(',').filter(|s| !s.is_empty()).collect();
                debug_assert!(names.is_empty());
                Ok(Self(names.len()))
            }
        }
    });
    assert_eq!(
        code,
        "impl<'de> ::serde::Deserialize<'de> for Flags {\n    \
             fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n        \
                 let text = <String as ::serde::Deserialize>::deserialize(deserializer)?;\n        \
                 let names: Vec<&str> = text.split(',').filter(|s| !s.is_empty()).collect();\n        \
                 debug_assert!(names.is_empty());\n        \
                 Ok(Self(names.len()))\n    \
             }\n\
         }\n"
    );
}

#[test]
fn long_lists_are_split_and_match_arms_get_lines() {
    let code = print(quote! {
        fn f(&self, out: &mut String) -> &'static str {
            out.push_str(&key_predicate(&[("dataAreaId", &self.data_area_id), ("CustomerAccountNumber", &self.customer_account_number),]));
            match self {
                Self::Yes => "Yes",
                Self::Unknown(name) => name,
            }
        }
    });
    assert_eq!(
        code,
        "fn f(&self, out: &mut String) -> &'static str {\n    \
             out.push_str(&key_predicate(&[\n        \
                 (\"dataAreaId\", &self.data_area_id),\n        \
                 (\"CustomerAccountNumber\", &self.customer_account_number),\n    \
             ]));\n    \
             match self {\n        \
                 Self::Yes => \"Yes\",\n        \
                 Self::Unknown(name) => name,\n    \
             }\n\
         }\n"
    );
}

#[test]
fn printed_code_has_the_same_tokens() {
    let tokens = quote! {
        /// Unbound actions.
        pub mod operations {
            #[allow(clippy::too_many_arguments)]
            pub async fn set_on_hold(client: &::d365fo_odata::Client, account: &str, hold: Option<bool>,) -> ::d365fo_odata::Result<()> {
                let request = client.action("SetOnHold");
                let request = match hold {
                    Some(value) => request.parameter("Hold", &value),
                    None => request,
                };
                request.value_or_nested::<Vec<i32>>().await
            }
        }
    };
    let printed: proc_macro2::TokenStream = print(tokens.clone()).parse().unwrap();
    let squash =
        |t: proc_macro2::TokenStream| t.to_string().replace([' ', ','], "").replace("r\"", "\"");
    assert_eq!(squash(printed), squash(tokens));
}

/// The widest line of `code`.
fn widest(code: &str) -> usize {
    code.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn long_derives_take_one_path_per_line_and_short_ones_stay() {
    let code = print(quote! {
        #[derive(Debug, Clone)]
        pub struct Short {}
        pub mod m {
            #[derive(Debug, Clone, PartialEq, ::d365fo_odata::__private::serde::Serialize, ::d365fo_odata::__private::serde::Deserialize)]
            pub struct Long {}
        }
    });
    assert_eq!(
        code,
        "#[derive(Debug, Clone)]\n\
         pub struct Short {}\n\
         pub mod m {\n    \
             #[derive(\n        \
                 Debug,\n        \
                 Clone,\n        \
                 PartialEq,\n        \
                 ::d365fo_odata::__private::serde::Serialize,\n        \
                 ::d365fo_odata::__private::serde::Deserialize,\n    \
             )]\n    \
             pub struct Long {}\n\
         }\n"
    );
}

#[test]
fn long_consts_break_after_the_equals_sign_then_split_generics_then_after_the_colon() {
    let code = print(quote! {
        pub mod customer_group {
            pub const DATA_AREA_ID: ::d365fo_odata::Field<super::CustomerGroup, String> = ::d365fo_odata::Field::new("dataAreaId");
            pub const MODIFIED_DATE_TIME: ::d365fo_odata::Field<super::CustomerGroup, ::d365fo_odata::edm::DateTimeOffset> = ::d365fo_odata::Field::new("ModifiedDateTime");
            pub const MARGIN_COMPONENT_ADJUSTMENT_DEFAULT_LEDGER_DIMENSION_DISPLAY_VALUE: ::d365fo_odata::Field<super::GupParameters, String> = ::d365fo_odata::Field::new("MarginComponentAdjustment");
        }
    });
    assert_eq!(
        code,
        "pub mod customer_group {\n    \
             pub const DATA_AREA_ID: ::d365fo_odata::Field<super::CustomerGroup, String> =\n        \
                 ::d365fo_odata::Field::new(\"dataAreaId\");\n    \
             pub const MODIFIED_DATE_TIME: ::d365fo_odata::Field<\n        \
                 super::CustomerGroup,\n        \
                 ::d365fo_odata::edm::DateTimeOffset,\n    \
             > = ::d365fo_odata::Field::new(\"ModifiedDateTime\");\n    \
             pub const MARGIN_COMPONENT_ADJUSTMENT_DEFAULT_LEDGER_DIMENSION_DISPLAY_VALUE:\n        \
                 ::d365fo_odata::Field<super::GupParameters, String> =\n        \
                 ::d365fo_odata::Field::new(\"MarginComponentAdjustment\");\n\
         }\n"
    );
    assert!(widest(&code) <= super::MAX_WIDTH);
}

#[test]
fn signatures_split_their_parameters_when_the_line_would_end_past_the_limit() {
    let code = print(quote! {
        impl<'de> ::serde::de::Visitor<'de> for __Visitor {
            fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SalesOrderHeaderV2, A::Error> {
                use ::serde::de::Error as _;
                if ready {
                    ::d365fo_odata::edm::ODataLiteral::write_literal(&::d365fo_odata::edm::EnumLiteral::new(Self::TYPE_NAME, self.as_str()), out);
                } else {
                    f.write_str("an object of entity type `Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2`")
                }
            }
        }
    });
    assert_eq!(
        code,
        "impl<'de> ::serde::de::Visitor<'de> for __Visitor {\n    \
             fn visit_map<A: ::serde::de::MapAccess<'de>>(\n        \
                 self,\n        \
                 mut map: A,\n    \
             ) -> Result<SalesOrderHeaderV2, A::Error> {\n        \
                 use ::serde::de::Error as _;\n        \
                 if ready {\n            \
                     ::d365fo_odata::edm::ODataLiteral::write_literal(\n                \
                         &::d365fo_odata::edm::EnumLiteral::new(Self::TYPE_NAME, self.as_str()),\n                \
                         out,\n            \
                     );\n        \
                 } else {\n            \
                     f.write_str(\n                \
                         \"an object of entity type `Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2`\",\n            \
                     )\n        \
                 }\n    \
             }\n\
         }\n"
    );
    assert!(widest(&code) <= super::MAX_WIDTH);
}

#[test]
fn long_match_arms_get_a_block_and_short_ones_stay() {
    let code = print(quote! {
        fn f() {
            match key.as_str() {
                "Short" => short = map.next_value()?,
                "MarginComponentAdjustmentDefault" => margin_component_adjustment_default_ledger_dimension = map.next_value()?,
                _ => {}
            }
        }
    });
    assert_eq!(
        code,
        "fn f() {\n    \
             match key.as_str() {\n        \
                 \"Short\" => short = map.next_value()?,\n        \
                 \"MarginComponentAdjustmentDefault\" => {\n            \
                     margin_component_adjustment_default_ledger_dimension = map.next_value()?\n        \
                 }\n        \
                 _ => {}\n    \
             }\n\
         }\n"
    );
    assert!(widest(&code) <= super::MAX_WIDTH);
    let printed: proc_macro2::TokenStream = code.parse().unwrap();
    assert!(printed.to_string().contains("=> { margin_component"));
}

#[test]
fn a_single_tuple_in_a_list_is_split_rather_than_the_list() {
    let code = print(quote! {
        impl ::d365fo_odata::EntityKey for DataManagementDefinitionGroupKey {
            fn write_predicate(&self, out: &mut String) {
                out.push_str(&::d365fo_odata::edm::key_predicate(&[("DefinitionGroupId", &self.definition_group_id),]));
            }
        }
    });
    assert!(
        code.contains(
            "key_predicate(&[(\n            \"DefinitionGroupId\",\n            \
             &self.definition_group_id,\n        )]));"
        ),
        "{code}"
    );
}

#[test]
fn a_long_list_inside_a_group_that_fits_its_line_is_still_split() {
    let code = print(quote! {
        fn f() {
            let x = outer(inner(first_argument_name, second_argument_name, third_argument_name));
        }
    });
    assert_eq!(
        code,
        "fn f() {\n    \
             let x = outer(inner(\n        \
                 first_argument_name,\n        \
                 second_argument_name,\n        \
                 third_argument_name,\n    \
             ));\n\
         }\n"
    );
}

#[test]
fn one_line_groups_keep_raw_identifiers_lifetimes_and_literals() {
    let code = print(quote! {
        fn f<'a>(r#type: &'a [u8], c: char) -> bool {
            g(r#type, 'x', "s", b'y', &'a [r#fn])
        }
    });
    assert_eq!(
        code,
        "fn f<'a>(r#type: &'a [u8], c: char) -> bool {\n    \
             g(r#type, 'x', \"s\", b'y', &'a [r#fn])\n\
         }\n"
    );
}
