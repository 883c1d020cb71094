//! Breaking statement lines that are too long: after `=`, after `:`, before a match arm's
//! expression, or one generic argument per line, and the widths these decisions measure.

use proc_macro2::{Delimiter, Spacing};

use super::line::{Line, Prev, width};
use super::scan::{arm_end, generic_close, has_colon, value_end};
use super::tree::Node;
use super::{MAX_WIDTH, Printer, Wide};

impl Printer<'_> {
    /// One token of a statement line, breaking after `=` when the value would end the line
    /// past [`MAX_WIDTH`] but fits on a line of its own, and (when [`Printer::wide`]) splitting
    /// the first generic argument list with a comma.
    pub(super) fn statement_token(&mut self, tokens: &[Node], i: usize, line: &mut Line) -> usize {
        if let Node::Punct(p) = &tokens[i]
            && line.angles.is_empty()
        {
            if p.as_char() == '='
                && p.spacing() == Spacing::Alone
                && let Some(end) = value_end(tokens, i + 1)
            {
                let column = self.column();
                let value = self.inline_width(&tokens[i + 1..end]) + 1;
                let indent = self.indent + usize::from(!line.continued);
                if column + 3 + value > MAX_WIDTH
                    && column + 2 <= MAX_WIDTH
                    && indent * 4 + value <= MAX_WIDTH
                {
                    self.out.push_str(" =");
                    self.newline();
                    self.indent = indent;
                    line.continued = true;
                    line.prev = Prev::Open;
                    return i + 1;
                }
            }
            if self.wide == Wide::Colon
                && !line.split_angles
                && !line.continued
                && p.as_char() == ':'
                && p.spacing() == Spacing::Alone
            {
                self.out.push(':');
                self.newline();
                self.indent += 1;
                line.continued = true;
                line.split_angles = true;
                line.prev = Prev::Open;
                return i + 1;
            }
            if self.wide == Wide::Generics
                && !line.split_angles
                && p.as_char() == '<'
                && p.spacing() == Spacing::Alone
                && let Some(close) = generic_close(tokens, i)
            {
                self.split_generics(&tokens[i + 1..close], line);
                return close + 1;
            }
        }
        self.token(tokens, i, line)
    }

    /// At the `=>` of a match arm whose expression would end its line past [`MAX_WIDTH`]: the
    /// expression in a block of its own, as rustfmt writes it (`=> {`, the expression, `}`
    /// without the comma). Returns the index after the arm, or `None` for anything else.
    pub(super) fn arm_block(
        &mut self,
        tokens: &[Node],
        i: usize,
        line: &mut Line,
    ) -> Option<usize> {
        let (Node::Punct(p), Some(Node::Punct(q))) = (&tokens[i], tokens.get(i + 1)) else {
            return None;
        };
        if p.as_char() != '=' || p.spacing() != Spacing::Joint || q.as_char() != '>' {
            return None;
        }
        if !line.angles.is_empty() || line.continued {
            return None;
        }
        let end = arm_end(tokens, i + 2)?;
        let body = &tokens[i + 2..end];
        // ` => ` before the expression, `,` after it.
        if self.column() + " => ".len() + self.inline_width(body) + ",".len() <= MAX_WIDTH {
            return None;
        }
        self.out.push_str(" => {");
        self.newline();
        self.indent += 1;
        let mut inner = Line::new();
        let mut k = 0;
        while k < body.len() {
            self.start_line();
            k = self.statement_token(body, k, &mut inner);
        }
        self.newline();
        self.end_line(&mut inner);
        self.indent -= 1;
        self.start_line();
        self.out.push('}');
        self.newline();
        self.end_line(line);
        Some(if end < tokens.len() { end + 1 } else { end })
    }

    /// `<` + one generic argument per line + `>`, for the arguments `inner`.
    pub(super) fn split_generics(&mut self, inner: &[Node], line: &mut Line) {
        self.out.push('<');
        self.newline();
        self.indent += 1;
        let mut depth = 0usize;
        let mut element = Line::new();
        let mut k = 0;
        while k < inner.len() {
            if let Node::Punct(p) = &inner[k] {
                match p.as_char() {
                    '<' => depth += 1,
                    '>' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        self.out.push(',');
                        self.newline();
                        element = Line::new();
                        k += 1;
                        continue;
                    }
                    _ => {}
                }
            }
            self.start_line();
            k = self.token(inner, k, &mut element);
        }
        if !self.out.ends_with('\n') {
            self.out.push(',');
            self.newline();
        }
        self.indent -= 1;
        self.start_line();
        self.out.push('>');
        line.prev = Prev::Close;
        line.split_angles = true;
    }

    /// Ends the statement `tokens[from..end]` (printed from output position `at`, its last line
    /// to be followed by `closing` columns): while one of its lines is wider than
    /// [`MAX_WIDTH`], it is printed again measuring what follows each list, then also with its
    /// first generic argument list split, then instead with a break after its `:`.
    pub(super) fn fit(
        &mut self,
        tokens: &[Node],
        statement: Option<(usize, usize)>,
        end: usize,
        closing: usize,
        line: &mut Line,
    ) {
        let Some((from, at)) = statement else {
            return;
        };
        if self.wide != Wide::No || self.tails {
            return;
        }
        let tokens = &tokens[..end];
        for wide in [Wide::No, Wide::Generics, Wide::Colon] {
            if self.out[at..].lines().all(|l| width(l) <= MAX_WIDTH)
                && self.column() + closing <= MAX_WIDTH
            {
                return;
            }
            // A pass can only shorten a line where what it changes starts: a list (`(`, `[`)
            // or generic arguments (`<`).
            let starts = |c: char| {
                self.out[at..]
                    .lines()
                    .any(|l| width(l) + closing > MAX_WIDTH && l.contains(c))
            };
            let applies = match wide {
                Wide::No => starts('(') || starts('['),
                Wide::Generics => starts('<') &&  (from..end).any(|k| {
                    matches!(&tokens[k], Node::Punct(p) if p.as_char() == '<' && p.spacing() == Spacing::Alone)
                        && generic_close(tokens, k).is_some()
                }),
                _ => has_colon(&tokens[from..]),
            };
            if !applies {
                continue;
            }
            self.out.truncate(at);
            self.end_line(line);
            self.wide = wide;
            self.tails = true;
            // What follows the statement's tokens counts as what follows its last list.
            let outer = std::mem::replace(&mut self.outer, closing);
            let mut k = from;
            while k < end {
                self.start_line();
                k = self.statement_token(tokens, k, line);
            }
            self.outer = outer;
            self.wide = Wide::No;
            self.tails = false;
        }
    }

    /// The width of `tokens` printed on one line.
    pub(super) fn inline_width(&self, tokens: &[Node]) -> usize {
        let mut inline = self.nested(self.indent);
        inline.no_split = true;
        let mut line = Line::new();
        let mut k = 0;
        while k < tokens.len() {
            k = inline.token(tokens, k, &mut line);
        }
        width(&inline.out)
    }

    /// The width of what follows a group on its line: the tokens from `from` up to the end
    /// of the statement or list element (`;`, `,`), or an opening brace (` {`); at the end of
    /// `tokens`, what the enclosing lists add.
    pub(super) fn tail_width(&self, tokens: &[Node], from: usize) -> usize {
        let mut inline = self.nested(self.indent);
        inline.no_split = true;
        let mut line = Line::new();
        line.prev = Prev::Close;
        let mut k = from;
        while let Some(token) = tokens.get(k) {
            match token {
                Node::Group(g) if g.delimiter() == Delimiter::Brace => {
                    return width(&inline.out) + 2;
                }
                Node::Punct(p)
                    if p.as_char() == ';' || (p.as_char() == ',' && line.angles.is_empty()) =>
                {
                    return width(&inline.out) + 1;
                }
                _ => k = inline.token(tokens, k, &mut line),
            }
        }
        width(&inline.out) + self.outer
    }
}
