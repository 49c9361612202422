//! A fast parser for the common subset of HCL, straight into hcl-rs's plain structure.
//!
//! hcl-rs parses with hcl-edit, which keeps every space and comment, then copies the result into
//! the plain structure, and quoted templates are printed back to text and parsed once more when
//! prepared: most of a load's time for a large project. This parser reads what real Terraform
//! code is mostly made of (blocks, attributes, literals, plain strings, simple templates,
//! variables, traversals, function calls, arrays, objects and binary operations) and gives up
//! (`None`) on anything else: the caller then parses the file with hcl-edit, which also reports
//! syntax errors. So it must build exactly what hcl-edit + conversion + [`prepare`] would, for
//! everything it accepts; it is strict on purpose (no newline or comment where hcl-edit's
//! treatment is subtle, no escapes, heredocs, directives, conditionals, unary operators, `for`
//! expressions, splats, or non-ASCII outside strings). Debug builds check it against hcl-edit
//! on every file (see `parse::parse_text`).
//!
//! Binary operations are nested by precedence, to the left within a level, as hcl-edit's Pratt
//! parser nests them. Recursion is bounded: text nested deeper than [`MAX_NESTING`] or with
//! more binary operators than [`MAX_OPERATORS`] is left to hcl-edit, which bounds both and says so.
//!
//! [`prepare`]: super::prepare

use super::prepare::TEMPLATE_FUNC;
use ::hcl::expr::{
    BinaryOp, BinaryOperator, FuncCall, FuncName, Object, ObjectKey, Operation, Traversal,
    TraversalOperator, Variable,
};
use ::hcl::{Attribute, Block, BlockLabel, Body, Expression, Identifier, Number, Structure};

/// Parses a file's text into its top-level structures, each with the byte offset where it
/// starts; `None` when the text is outside the subset (or not valid HCL).
pub(crate) fn parse(text: &str) -> Option<Vec<(Structure, usize)>> {
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
        operators: 0,
    };
    let mut out = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    loop {
        p.skip_ws()?;
        if p.pos >= p.src.len() {
            return Some(out);
        }
        let start = p.pos;
        let structure = p.structure(&mut keys)?;
        out.push((structure, start));
        p.end_of_structure(true)?;
    }
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    /// How many expressions deep the parser is (arrays, objects, calls, parentheses,
    /// interpolations and indexes each open one).
    depth: usize,
    /// Binary operators read in the current attribute, at any depth.
    operators: usize,
}

/// The deepest nesting of expressions this parser reads; deeper text goes to hcl-edit, which
/// refuses more than 64 levels with a clear error. Recursion here is bounded by it.
const MAX_NESTING: usize = 48;

/// The most binary operators in one attribute this parser reads: a bound on the depth of the
/// tree it builds (hcl-edit accepts at most 128 on any path through an expression tree and
/// explains the limit).
const MAX_OPERATORS: usize = 64;

/// Pops the last two operands and the last operator and pushes their operation.
fn reduce(operands: &mut Vec<Expression>, operators: &mut Vec<BinaryOperator>) {
    let (Some(op), Some(rhs), Some(lhs)) = (operators.pop(), operands.pop(), operands.pop()) else {
        return;
    };
    operands.push(Expression::Operation(Box::new(Operation::Binary(
        BinaryOp::new(lhs, op, rhs),
    ))));
}

fn is_id_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_id_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.src.get(self.pos + n).copied()
    }

    /// Spaces and tabs; gives up on `/*` comments and carriage returns.
    fn skip_sp(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\r') => return None,
                Some(b'/') if self.peek_at(1) == Some(b'*') => return None,
                _ => return Some(()),
            }
        }
    }

    /// A `#` or `//` comment up to (not including) the end of the line, if one is here; gives
    /// up on a carriage return in it (hcl-edit refuses one that does not end the line).
    fn skip_line_comment(&mut self) -> Option<()> {
        let here = self.peek();
        if here == Some(b'#') || (here == Some(b'/') && self.peek_at(1) == Some(b'/')) {
            while let Some(b) = self.peek() {
                match b {
                    b'\n' => break,
                    b'\r' => return None,
                    _ => self.pos += 1,
                }
            }
        }
        Some(())
    }

    /// Spaces, newlines, line comments and block comments (where a newline may stand: the
    /// license headers many modules open their files with).
    fn skip_ws(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n') => self.pos += 1,
                Some(b'\r') => return None,
                Some(b'#') => self.skip_line_comment()?,
                Some(b'/') if self.peek_at(1) == Some(b'/') => self.skip_line_comment()?,
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    let end = self.text[self.pos + 2..].find("*/")?;
                    self.pos += 2 + end + 2;
                }
                _ => return Some(()),
            }
        }
    }

    /// After a structure: spaces, an optional line comment, then a newline (or the end of the
    /// text when `top`).
    fn end_of_structure(&mut self, top: bool) -> Option<()> {
        self.skip_sp()?;
        self.skip_line_comment()?;
        match self.peek() {
            Some(b'\n') => {
                self.pos += 1;
                Some(())
            }
            None if top => Some(()),
            _ => None,
        }
    }

    fn ident(&mut self) -> Option<&'a str> {
        let start = self.pos;
        if !self.peek().is_some_and(is_id_start) {
            return None;
        }
        self.pos += 1;
        while self.peek().is_some_and(is_id_continue) {
            self.pos += 1;
        }
        // A non-ASCII identifier character: leave it to hcl-edit.
        if self.peek().is_some_and(|b| b >= 0x80) {
            return None;
        }
        Some(&self.text[start..self.pos])
    }

    fn structure(&mut self, keys: &mut Vec<&'a str>) -> Option<Structure> {
        let ident = self.ident()?;
        self.skip_sp()?;
        match self.peek()? {
            b'=' => {
                if keys.contains(&ident) {
                    return None;
                }
                keys.push(ident);
                self.pos += 1;
                self.skip_sp()?;
                self.operators = 0;
                let expr = self.expr()?;
                Some(Structure::Attribute(Attribute::new(
                    Identifier::unchecked(ident),
                    expr,
                )))
            }
            _ => {
                let mut labels = Vec::new();
                loop {
                    match self.peek()? {
                        b'"' => labels.push(BlockLabel::String(self.plain_string()?)),
                        b if is_id_start(b) => {
                            labels
                                .push(BlockLabel::Identifier(Identifier::unchecked(self.ident()?)));
                        }
                        b'{' => break,
                        _ => return None,
                    }
                    self.skip_sp()?;
                }
                self.pos += 1; // `{`
                let body = self.block_body()?;
                let mut block = Block::new(Identifier::unchecked(ident));
                block.labels = labels;
                block.body = body;
                Some(Structure::Block(block))
            }
        }
    }

    /// After `{`: a multi-line body up to its `}`, or a one-line body.
    fn block_body(&mut self) -> Option<Body> {
        self.skip_sp()?;
        self.skip_line_comment()?;
        if self.peek()? == b'\n' {
            self.pos += 1;
            let mut structures = Vec::new();
            let mut keys: Vec<&str> = Vec::new();
            loop {
                self.skip_ws()?;
                if self.peek()? == b'}' {
                    self.pos += 1;
                    return Some(Body(structures));
                }
                structures.push(self.structure(&mut keys)?);
                self.end_of_structure(false)?;
            }
        }
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(Body::default());
        }
        // One-line block: one attribute.
        let key = self.ident()?;
        self.skip_sp()?;
        if self.peek()? != b'=' {
            return None;
        }
        self.pos += 1;
        self.skip_sp()?;
        self.operators = 0;
        let expr = self.expr()?;
        self.skip_sp()?;
        if self.peek()? != b'}' {
            return None;
        }
        self.pos += 1;
        Some(Body(vec![Structure::Attribute(Attribute::new(
            Identifier::unchecked(key),
            expr,
        ))]))
    }

    /// A quoted string without escapes, interpolations or directives.
    fn plain_string(&mut self) -> Option<String> {
        match self.string()? {
            Expression::String(s) => Some(s),
            _ => None,
        }
    }

    /// A quoted string: a plain string, or a template of literals and interpolations as
    /// `prepare` rewrites it (before its inner expressions are prepared).
    fn string(&mut self) -> Option<Expression> {
        self.pos += 1; // `"`
        let mut parts: Vec<Expression> = Vec::new();
        let mut literal_start = self.pos;
        let mut interpolations = 0;
        loop {
            match self.peek()? {
                b'"' => {
                    if self.pos > literal_start || parts.is_empty() {
                        parts.push(Expression::String(
                            self.text[literal_start..self.pos].to_string(),
                        ));
                    }
                    self.pos += 1;
                    break;
                }
                b'\\' | b'\n' | b'\r' => return None,
                b'%' if self.peek_at(1) == Some(b'{') => return None,
                b'$' if self.peek_at(1) == Some(b'$') => return None,
                b'%' if self.peek_at(1) == Some(b'%') => return None,
                b'$' if self.peek_at(1) == Some(b'{') => {
                    if self.pos > literal_start {
                        parts.push(Expression::String(
                            self.text[literal_start..self.pos].to_string(),
                        ));
                    }
                    self.pos += 2;
                    if self.peek()? == b'~' {
                        return None;
                    }
                    self.skip_sp()?;
                    let inner = self.expr()?;
                    self.skip_sp()?;
                    if self.peek()? != b'}' {
                        return None;
                    }
                    self.pos += 1;
                    parts.push(inner);
                    interpolations += 1;
                    literal_start = self.pos;
                }
                _ => self.pos += 1,
            }
        }
        if interpolations == 0 {
            return parts.pop();
        }
        if parts.len() == 1 {
            return parts.pop();
        }
        let mut call = FuncCall::new(FuncName::new(Identifier::unchecked(TEMPLATE_FUNC)));
        call.args = parts;
        Some(Expression::FuncCall(Box::new(call)))
    }

    /// An expression: operands joined by binary operators, nested by precedence and to the
    /// left within one precedence level, as hcl-edit's Pratt parser nests them (`a * b + c` is
    /// `(a * b) + c`, `a - b - c` is `(a - b) - c`). Conditionals (`?`) are left to hcl-edit.
    fn expr(&mut self) -> Option<Expression> {
        self.enter()?;
        let first = self.operand()?;
        let mut operands = vec![first];
        let mut operators: Vec<BinaryOperator> = Vec::new();
        loop {
            let mark = self.pos;
            self.skip_sp()?;
            let (op, len) = match (self.peek(), self.peek_at(1)) {
                (Some(b'/'), Some(b'/' | b'*')) => {
                    self.pos = mark;
                    break;
                }
                (Some(b'='), Some(b'=')) => (BinaryOperator::Eq, 2),
                (Some(b'!'), Some(b'=')) => (BinaryOperator::NotEq, 2),
                (Some(b'<'), Some(b'=')) => (BinaryOperator::LessEq, 2),
                (Some(b'>'), Some(b'=')) => (BinaryOperator::GreaterEq, 2),
                (Some(b'<'), _) => (BinaryOperator::Less, 1),
                (Some(b'>'), _) => (BinaryOperator::Greater, 1),
                (Some(b'+'), _) => (BinaryOperator::Plus, 1),
                (Some(b'-'), _) => (BinaryOperator::Minus, 1),
                (Some(b'*'), _) => (BinaryOperator::Mul, 1),
                (Some(b'/'), _) => (BinaryOperator::Div, 1),
                (Some(b'%'), _) => (BinaryOperator::Mod, 1),
                (Some(b'&'), Some(b'&')) => (BinaryOperator::And, 2),
                (Some(b'|'), Some(b'|')) => (BinaryOperator::Or, 2),
                // Splats, legacy indexes, `...`, conditionals, stray operator characters.
                (Some(b'.' | b'[' | b'?' | b'!' | b'&' | b'|'), _) => return None,
                _ => {
                    self.pos = mark;
                    break;
                }
            };
            // Long chains make deep trees: hcl-edit bounds them (and says so clearly).
            self.operators += 1;
            if self.operators > MAX_OPERATORS {
                return None;
            }
            self.pos += len;
            self.skip_sp()?;
            // Reduce what binds at least as tightly as the new operator: left associativity.
            while operators
                .last()
                .is_some_and(|top| top.precedence() >= op.precedence())
            {
                reduce(&mut operands, &mut operators);
            }
            operators.push(op);
            operands.push(self.operand()?);
        }
        while !operators.is_empty() {
            reduce(&mut operands, &mut operators);
        }
        self.leave();
        operands.pop()
    }

    /// One nesting level deeper; gives up past [`MAX_NESTING`], so that hcl-edit, which
    /// bounds nesting, reports it.
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_NESTING).then_some(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// A term followed by its traversal (`.name`, `[index]`).
    fn operand(&mut self) -> Option<Expression> {
        let mut expr = self.term()?;
        // Whether `expr` is a traversal this loop started (and so may extend).
        let mut traversing = false;
        loop {
            let mark = self.pos;
            self.skip_sp()?;
            match (self.peek(), self.peek_at(1)) {
                (Some(b'.'), Some(b)) if is_id_start(b) => {
                    self.pos += 1;
                    let name = self.ident()?;
                    expr = push_op(
                        expr,
                        TraversalOperator::GetAttr(Identifier::unchecked(name)),
                        traversing,
                    );
                    traversing = true;
                }
                (Some(b'['), Some(b)) if b != b'*' => {
                    self.pos += 1;
                    self.skip_ws()?;
                    let index = self.expr()?;
                    self.skip_ws()?;
                    if self.peek()? != b']' {
                        return None;
                    }
                    self.pos += 1;
                    expr = push_op(expr, TraversalOperator::Index(index), traversing);
                    traversing = true;
                }
                _ => {
                    self.pos = mark;
                    return Some(expr);
                }
            }
        }
    }

    fn term(&mut self) -> Option<Expression> {
        match self.peek()? {
            b'"' => self.string(),
            b'0'..=b'9' => self.number(),
            b'[' => self.array(),
            b'{' => self.object(),
            b'(' => {
                self.pos += 1;
                self.skip_ws()?;
                let inner = self.expr()?;
                self.skip_ws()?;
                if self.peek()? != b')' {
                    return None;
                }
                self.pos += 1;
                Some(Expression::Parenthesis(Box::new(inner)))
            }
            b if is_id_start(b) => {
                let name = self.ident()?;
                let mark = self.pos;
                self.skip_sp()?;
                match (self.peek(), self.peek_at(1)) {
                    (Some(b'('), _) => {
                        self.pos += 1;
                        let args = self.args()?;
                        let mut call = FuncCall::new(FuncName::new(Identifier::unchecked(name)));
                        call.args = args;
                        Some(Expression::FuncCall(Box::new(call)))
                    }
                    (Some(b':'), Some(b':')) => None,
                    _ => {
                        self.pos = mark;
                        Some(match name {
                            "null" => Expression::Null,
                            "true" => Expression::Bool(true),
                            "false" => Expression::Bool(false),
                            _ => Expression::Variable(Variable::unchecked(name)),
                        })
                    }
                }
            }
            _ => None,
        }
    }

    /// A whole number; fractions and exponents are left to hcl-edit.
    fn number(&mut self) -> Option<Expression> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self
            .peek()
            .is_some_and(|b| b == b'.' || b == b'e' || b == b'E' || is_id_continue(b))
        {
            return None;
        }
        let n: u64 = self.text[start..self.pos].parse().ok()?;
        Some(Expression::Number(Number::from(n)))
    }

    /// `for` right after `[` or `{` starts a `for` expression, which is left to hcl-edit.
    fn at_for(&self) -> bool {
        self.src[self.pos..].starts_with(b"for")
            && matches!(self.peek_at(3), Some(b' ' | b'\t' | b'#' | b'/' | b'\n'))
    }

    /// After `(`: arguments up to `)`.
    fn args(&mut self) -> Option<Vec<Expression>> {
        let mut args = Vec::new();
        self.skip_ws()?;
        if self.peek()? == b')' {
            self.pos += 1;
            return Some(args);
        }
        loop {
            args.push(self.expr()?);
            self.skip_ws()?;
            match self.peek()? {
                b')' => {
                    self.pos += 1;
                    return Some(args);
                }
                b',' => {
                    self.pos += 1;
                    self.skip_ws()?;
                    if self.peek()? == b')' {
                        self.pos += 1;
                        return Some(args);
                    }
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<Expression> {
        self.pos += 1;
        self.skip_ws()?;
        if self.at_for() {
            return None;
        }
        let mut items = Vec::new();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(Expression::Array(items));
        }
        loop {
            items.push(self.expr()?);
            self.skip_ws()?;
            match self.peek()? {
                b']' => {
                    self.pos += 1;
                    return Some(Expression::Array(items));
                }
                b',' => {
                    self.pos += 1;
                    self.skip_ws()?;
                    if self.peek()? == b']' {
                        self.pos += 1;
                        return Some(Expression::Array(items));
                    }
                }
                _ => return None,
            }
        }
    }

    fn object(&mut self) -> Option<Expression> {
        self.pos += 1;
        self.skip_ws()?;
        if self.at_for() {
            return None;
        }
        let mut object: Object<ObjectKey, Expression> = Object::new();
        loop {
            self.skip_ws()?;
            let key = match self.peek()? {
                b'}' => {
                    self.pos += 1;
                    return Some(Expression::Object(object));
                }
                b'"' => ObjectKey::Expression(Expression::String(self.plain_string()?)),
                b if is_id_start(b) => {
                    let name = self.ident()?;
                    if matches!(name, "null" | "true" | "false") {
                        return None;
                    }
                    ObjectKey::Identifier(Identifier::unchecked(name))
                }
                _ => return None,
            };
            self.skip_sp()?;
            match self.peek()? {
                b'=' if self.peek_at(1) != Some(b'=') => self.pos += 1,
                b':' => self.pos += 1,
                _ => return None,
            }
            self.skip_sp()?;
            let value = self.expr()?;
            if object.contains_key(&key) {
                return None;
            }
            object.insert(key, value);
            self.skip_sp()?;
            self.skip_line_comment()?;
            match self.peek()? {
                b'}' => {
                    self.pos += 1;
                    return Some(Expression::Object(object));
                }
                b'\n' | b',' => self.pos += 1,
                _ => return None,
            }
        }
    }
}

/// Appends a traversal operator to `expr` when `extend` (it is a traversal being read), else
/// starts a traversal of `expr`.
fn push_op(expr: Expression, op: TraversalOperator, extend: bool) -> Expression {
    match expr {
        Expression::Traversal(mut traversal) if extend => {
            traversal.operators.push(op);
            Expression::Traversal(traversal)
        }
        other => Expression::Traversal(Box::new(Traversal::new(other, [op]))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What hcl-edit, the conversion and `prepare` make of `text`.
    fn slow(text: &str) -> Vec<(Structure, usize)> {
        let body = ::hcl::edit::parser::parse_body(text).expect("hcl-edit parses");
        let starts: Vec<usize> = body
            .iter()
            .map(|s| ::hcl::edit::Span::span(s).map_or(0, |span| span.start))
            .collect();
        let mut plain: Body = body.into();
        super::super::prepare::prepare_body(&mut plain);
        plain.into_iter().zip(starts).collect()
    }

    fn fast(text: &str) -> Option<Vec<(Structure, usize)>> {
        let parsed = parse(text)?;
        let starts: Vec<usize> = parsed.iter().map(|(_, at)| *at).collect();
        let mut plain = Body(parsed.into_iter().map(|(s, _)| s).collect());
        super::super::prepare::prepare_body(&mut plain);
        Some(plain.into_iter().zip(starts).collect())
    }

    const ACCEPTED: &[&str] = &[
        "a = 1\n",
        "a = 1",
        "\n\n# c\n// d\na = \"x\" # t\nb = true\nc = null\nd = false // e\n",
        "a = \"\"\nb = \"${x}\"\nc = \"p${x}\"\nd = \"${x}s\"\ne = \"a${x}b${y.z}c\"\n",
        "a = \"${local.a}-${var.b}\"\nb = \"${local.x.y[0]}\"\nc = \"$ % $x %d\"\n",
        "a = \"${ x }\"\nb = \"${f(1, 2)}\"\nc = \"é ${x} ü\"\n",
        "a = local.x\nb = var.y.z\nc = local.m[\"k\"].id\nd = a.b[0][1].c\n",
        "a = x [0]\nb = f(1)[0]\nc = (x).y\nd = [1][0]\n",
        "a = 1 + 2\nb = 1 * 2 + 3\nc = a - b / c % d\nd = a == b\ne = a != b\n",
        "a = a < b\nb = a <= b\nc = a > b\nd = a >= b\ne = a && b || c\nf = (1 + 2) * 3\n",
        "a = 1+2\nb = x*4+y\nc = length(x) * 10\n",
        "a = f()\nb = f(1)\nc = f(1,)\nd = f(\n  1,\n  2,\n)\ne = f( a , b )\nf = f (x)\n",
        "a = [1, 2]\nb = []\nc = [\n  1,\n  2\n]\nd = [\n  # c\n  1, // d\n  2,\n]\ne = [ ]\n",
        "/**\n * License header.\n */\n\nr \"a\" \"b\" {\n  /* a block\n     comment */\n  x = 1\n}\n",
        "a = [\n  1, /* one */\n  2,\n]\n",
        "a = {}\nb = { a = 1 }\nc = { a = 1, b = 2 }\nd = {\n  a = 1\n  \"b\" = 2\n  c : 3,\n}\n",
        "a = { a = 1 # c\n b = [1] }\nb = {\n\n  a = f(x)\n\n}\n",
        "a = merge(local.t, { Name = \"${local.n}-x\" })\n",
        "r \"a\" \"b\" {\n  x = 1\n\n  inner {\n    y = 2\n  }\n  inner {}\n  one { z = 3 }\n}\n",
        "r a b {\n}\nt {\n  backend \"s3\" {\n    bucket = \"b\"\n  }\n}\n",
        "r \"a\" { # c\n  x = 1\n}\nlocals {\n  a = 1\n  b-c = 2\n}\n",
        "a = b // c\nb = c # d\n",
        "a = x.y.z\nb = x[y]\nc = x[local.y]\nd = x[\"${y}\"]\n",
        "a = \"${\"${x}\"}\"\nb = \"${x}\"[0]\n",
        "a = 18446744073709551615\nb = 0\n",
        "a = { k = { j = [1, { l = 2 }] } }\n",
        "a = f(x...)\n",
        "a = 1 - 2 - 3\nb = a / b * c % d\nc = a < b == c > d\nd = a || b && c || d\n",
        "a = 1 + 2 * 3 - 4 / 5 == 6 && 7 > 8 || 9 != 10\n",
        "a = (a + b) * (c - d)\nb = f(a + b * c)[x + 1].y\n",
    ];

    const LEFT_TO_HCL_EDIT: &[&str] = &[
        "a = -1\n",
        "a = !x\n",
        "a = x ? 1 : 2\n",
        "a = 1.5\n",
        "a = \"\\n\"\n",
        "a = \"$${x}\"\n",
        "a = \"%{if x}y%{endif}\"\n",
        "a = <<EOF\nx\nEOF\n",
        "a = [for x in y : x]\n",
        "a = { for k, v in y : k => v }\n",
        "a = x.*.id\n",
        "a = x[*].id\n",
        "a = x.0\n",
        "a = 1\r\n",
        "a = /* c */ 1\n",
        "a = 1\na = 2\n",
        "a = { a = 1, a = 2 }\n",
        "a = { true = 1 }\n",
        "a = p::f(1)\n",
        "a = \"${~x}\"\n",
        "a = 1 +\n  2\n",
        "a = [1\n  + 2]\n",
        "ü = 1\n",
        "a = 1 b = 2\n",
        "r {\n  a = 1 }\n",
        "a = \n1\n",
        "a = (\n 1\n + 2)\n",
        "a = { (k) = 1 }\n",
        "a = { \"${k}\" = 1 }\n",
    ];

    #[test]
    fn agrees_with_hcl_edit_on_what_it_accepts() {
        for text in ACCEPTED {
            let Some(fast) = fast(text) else {
                if !text.contains("...") {
                    panic!("fast parser gave up on {text:?}");
                }
                continue;
            };
            assert_eq!(fast, slow(text), "{text:?}");
        }
    }

    #[test]
    fn leaves_the_rest_to_hcl_edit() {
        for text in LEFT_TO_HCL_EDIT {
            assert!(parse(text).is_none(), "{text:?}");
        }
    }

    /// Found by fuzzing (`fuzz/`, target `hcl_differential`): a line comment holding a carriage
    /// return that does not end the line was skipped here, while hcl-edit refuses the file.
    #[test]
    fn carriage_return_inside_a_line_comment_is_left_to_hcl_edit() {
        for text in [
            "a = 7 //\r",
            "a = 7 // x\ry\n",
            "# note\rb\na = 1\n",
            "r {\n  a = 1 # c\r\n}\n",
            "r { # c\r\n  a = 1\n}\n",
            "a = {\n  k = 1 // c\r\n}\n",
        ] {
            assert!(parse(text).is_none(), "{text:?}");
        }
        // hcl-edit still reads a comment ending in CRLF, and the fast parser, which does not
        // read carriage returns at all, leaves such a file to it.
        assert!(::hcl::edit::parser::parse_body("a = 1 # c\r\n").is_ok());
        assert!(::hcl::edit::parser::parse_body("a = 7 // x\ry\n").is_err());
    }

    /// What would make a deep tree is hcl-edit's to refuse or accept: this parser gives up
    /// first, so its own recursion (and that of whoever walks its trees) stays bounded.
    #[test]
    fn deep_or_long_expressions_are_left_to_hcl_edit() {
        let long_chain = format!("a = {}\n", vec!["1"; 100_000].join(" + "));
        assert!(parse(&long_chain).is_none());
        let chain_at_limit = format!("a = {}\n", vec!["1"; MAX_OPERATORS + 1].join(" + "));
        assert_eq!(fast(&chain_at_limit), Some(slow(&chain_at_limit)));
        let over = format!("a = {}\n", vec!["1"; MAX_OPERATORS + 2].join(" + "));
        assert!(parse(&over).is_none());
        // Operators in nested expressions count toward the same bound.
        let nested = format!("a = [{}]\n", vec!["(1 + 1)"; MAX_OPERATORS + 1].join(", "));
        assert!(parse(&nested).is_none());
        let deep = format!(
            "a = {}1{}\n",
            "[".repeat(MAX_NESTING),
            "]".repeat(MAX_NESTING)
        );
        assert!(parse(&deep).is_none());
        let shallow = format!("a = {}1{}\n", "[".repeat(20), "]".repeat(20));
        assert_eq!(fast(&shallow), Some(slow(&shallow)));
    }
}
