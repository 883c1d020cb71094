//! Event plumbing: the steps of the event stream, and the loops every element reader is built
//! from.
//!
//! [`XmlReader::next`] turns quick-xml events into [`Step`]s; [`Children`] walks the children
//! of one element, so an element reader says only which children it knows and what it does
//! with them; [`XmlReader::skip`] passes over a subtree nobody reads.

use quick_xml::events::Event;

use super::{ErrorKind, RawError, Tag, XmlReader, local, render_path};
use std::io::BufRead;

/// One step of the event stream, detached from quick-xml's buffer.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step {
    /// A start (or empty) tag; its content is in `XmlReader::tag`.
    Start { tag: Tag, empty: bool, offset: u64 },
    /// An end tag.
    End,
    /// End of input.
    Eof,
}

/// A walk over the children of one element: what every element reader loops over.
///
/// [`XmlReader::children`] starts it right after the element's start tag; each
/// [`Children::next`] hands out the next child's start tag (that tag is then current, for
/// [`XmlReader::attributes`]) until the element's end tag:
///
/// ```ignore
/// let mut children = self.children(empty, offset);
/// while let Some((tag, empty, offset)) = children.next(self)? {
///     match tag {
///         Tag::Annotation => annotations.push(self.read_annotation(empty, offset)?),
///         _ => {} // not read: skipped
///     }
/// }
/// ```
///
/// A child the loop body does not read through its end tag (one it does not know, or one it
/// only takes the attributes of) is skipped as a whole subtree before the next child is read,
/// so a body says only which children it knows. Input that ends inside the element is an
/// error at the element's offset, under the current `self.path`. Text is not looked at:
/// once `next` returns `None`, `self.text` holds the text that followed the last start tag.
///
/// It is not an [`Iterator`] because each step needs the reader, which the loop body needs
/// too.
#[derive(Debug, Clone, Copy)]
pub(super) struct Children {
    /// Where the element starts, for the error when input ends inside it.
    offset: u64,
    /// [`XmlReader::depth`] inside the element: when it is deeper, the last child handed out
    /// was not read through its end tag.
    depth: u32,
    /// Where the last child handed out starts, for the error when input ends inside it.
    last: u64,
    /// The end tag has been read (or the element is empty).
    done: bool,
}

impl Children {
    /// The next child element as `(tag, empty, offset)`, after skipping what the loop body
    /// left unread of the one before; `None` once the element's end tag has been read.
    #[inline]
    pub(super) fn next<R: BufRead>(
        &mut self,
        reader: &mut XmlReader<R>,
    ) -> Result<Option<(Tag, bool, u64)>, RawError> {
        if self.done {
            return Ok(None);
        }
        if reader.depth > self.depth {
            reader.skip_to(self.depth, self.last)?;
        }
        match reader.next()? {
            Step::Start { tag, empty, offset } => {
                self.last = offset;
                Ok(Some((tag, empty, offset)))
            }
            Step::End => {
                self.done = true;
                Ok(None)
            }
            Step::Eof => Err(reader.unexpected_eof(self.offset)),
        }
    }
}

impl<R: BufRead> XmlReader<R> {
    /// Reads events up to the next start, empty or end tag (or the end of input), collecting
    /// text and character references into `self.text` on the way and counting the nesting
    /// against the depth limit.
    pub(super) fn next(&mut self) -> Result<Step, RawError> {
        loop {
            self.buf.clear();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(e) => {
                    let offset = self.xml.error_position() + self.bom;
                    return Err(RawError::new(
                        offset,
                        self.path_string(None),
                        ErrorKind::Xml(e.to_string()),
                    ));
                }
            };
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(start) | Event::Empty(start) => {
                    let content: &str = &start;
                    let end = self.xml.buffer_position() + self.bom;
                    // `<`, `>` and the `/` of an empty tag are not part of the content.
                    let offset = end.saturating_sub(content.len() as u64 + 2 + u64::from(empty));
                    if !empty {
                        // Every recursive reader goes one call deeper per element, so bounding
                        // the nesting here bounds the stack of all of them (and of whatever
                        // walks the model afterwards).
                        self.depth += 1;
                        if self.depth > self.max_depth {
                            let limit = self.max_depth;
                            return Err(RawError::new(
                                offset,
                                self.path_string(None),
                                ErrorKind::TooDeep { limit },
                            ));
                        }
                    }
                    self.name_len = start.name().as_ref().len();
                    self.tag.clear();
                    self.tag.push_str(content);
                    self.text.clear();
                    let tag = Tag::from_local_name(local(&self.tag[..self.name_len]));
                    return Ok(Step::Start { tag, empty, offset });
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Step::End);
                }
                Event::Eof => return Ok(Step::Eof),
                Event::Text(text) => self.text.push_str(&text),
                Event::CData(data) => self.text.push_str(&data),
                Event::GeneralRef(reference) => {
                    let offset = self.xml.buffer_position() + self.bom;
                    let resolved = if reference.is_char_ref() {
                        reference.resolve_char_ref().ok().flatten()
                    } else {
                        quick_xml::escape::resolve_predefined_entity(&reference)
                            .and_then(|s| s.chars().next())
                    };
                    match resolved {
                        Some(c) => self.text.push(c),
                        None => {
                            let message = format!("unknown entity reference `&{};`", &*reference);
                            return Err(RawError::new(
                                offset,
                                render_path(&self.path),
                                ErrorKind::Xml(message),
                            ));
                        }
                    }
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Starts a walk over the children of the element whose start tag was just read: it
    /// starts at `offset` and is `empty` (`<X/>`, no children) or not. See [`Children`].
    pub(super) fn children(&self, empty: bool, offset: u64) -> Children {
        Children {
            offset,
            depth: self.depth,
            last: offset,
            done: empty,
        }
    }

    /// Skips the children of the current element (when it is not empty).
    pub(super) fn skip(&mut self, empty: bool, offset: u64) -> Result<(), RawError> {
        if empty {
            return Ok(());
        }
        // A start tag that is not empty counted itself into `depth`.
        self.skip_to(self.depth.saturating_sub(1), offset)
    }

    /// Reads on until the element nesting is back to `depth`, that is, past the end tags of
    /// every element open deeper than that; the outermost of those starts at `offset`, where
    /// input that ends first is reported.
    fn skip_to(&mut self, depth: u32, offset: u64) -> Result<(), RawError> {
        while self.depth > depth {
            if let Step::Eof = self.next()? {
                return Err(self.unexpected_eof(offset));
            }
        }
        Ok(())
    }

    /// The error for input that ends inside the element that opened at `offset`.
    pub(super) fn unexpected_eof(&self, offset: u64) -> RawError {
        RawError::new(
            offset,
            self.path_string(None),
            ErrorKind::Xml("unexpected end of document: an element is not closed".to_owned()),
        )
    }
}
