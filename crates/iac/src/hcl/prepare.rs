//! Rewrites parsed expressions once so that evaluating them many times is cheap.
//!
//! hcl-rs evaluates `local.name` by cloning the whole `local` object and then picking `name`
//! from it: with thousands of locals, every reference would copy all of them. So references
//! `local.NAME` and `var.NAME` become variables of their own, `local-NAME` and `var-NAME` (a
//! dash cannot appear in a name the user writes as a variable, so these never clash), declared
//! one by one by the evaluator. Likewise a quoted template made only of literals and
//! interpolations (`"${local.name}-web"`), which hcl-rs would parse again at every evaluation,
//! becomes a call of the internal [`TEMPLATE_FUNC`]. Anything else (templates with directives or
//! strip markers, heredocs) is left as written and evaluated against the full `local` and `var`
//! objects, which the evaluator declares as well.

use ::hcl::expr::{
    BinaryOperator, FuncCall, FuncName, Operation, TemplateExpr, TraversalOperator, Variable,
};
use ::hcl::template::{Directive, Element, Strip, Template};
use ::hcl::{Body, Expression, Identifier, Structure};

/// The function that joins a prepared template's parts, as string conversion in a template does.
pub(crate) const TEMPLATE_FUNC: &str = "driftd-template";
/// The function a prepared `for` expression's collection goes through: it counts the elements
/// against the load's `max_elements` and returns the collection unchanged.
pub(crate) const COUNTED_FUNC: &str = "driftd-counted";
/// The function every prepared reference to a local, a variable, `each` or a `for` loop's
/// variable goes through: hcl-rs copies the value at each reference, so it counts the value's
/// elements against the load's `max_elements` (see [`super::count_copies`]) and returns it
/// unchanged. A value cannot then be copied without bound (`[for i in range(1000) : local.big]`).
pub(crate) const SIZED_FUNC: &str = "driftd-sized";
/// The function a prepared arithmetic operation (`+`, `-`, `*`, `/`, `%`) goes through, its
/// operator's symbol as first argument: hcl-rs's own number operators panic on `x % 0` and on
/// integers that overflow, where the value must be unknown with the reason.
pub(crate) const ARITH_FUNC: &str = "driftd-arith";
/// The function a `%{ for }` directive's collection goes through in a template left as written,
/// with the bytes of literal text its body repeats at each iteration: it counts the elements
/// like [`COUNTED_FUNC`] and the text against the load's `max_string_bytes`.
pub(crate) const TEMPLATE_LOOP_FUNC: &str = "driftd-template-loop";
/// The function every interpolation of a template left as written goes through: it counts the
/// bytes the value renders to against the load's `max_string_bytes`.
pub(crate) const EMIT_FUNC: &str = "driftd-emit";
/// The prefix of the variable a prepared `local.NAME` reads.
pub(crate) const LOCAL_PREFIX: &str = "local-";
/// The prefix of the variable a prepared `var.NAME` reads.
pub(crate) const VAR_PREFIX: &str = "var-";

pub(crate) fn prepare_body(body: &mut Body) {
    for structure in body.iter_mut() {
        match structure {
            Structure::Attribute(a) => prepare_expr(&mut a.expr),
            Structure::Block(b) => prepare_body(&mut b.body),
        }
    }
}

pub(crate) fn prepare_expr(expr: &mut Expression) {
    match expr {
        Expression::Array(items) => items.iter_mut().for_each(prepare_expr),
        Expression::Object(object) => {
            // Keys are not mutable in place; a computed key rarely references locals, and the
            // full objects still answer when one does.
            for (_, value) in object.iter_mut() {
                prepare_expr(value);
            }
        }
        Expression::TemplateExpr(template) => {
            if let Some(prepared) = prepare_template(template) {
                *expr = prepared;
            } else {
                prepare_template_as_written(template);
            }
        }
        Expression::Traversal(traversal) => {
            prepare_expr(&mut traversal.expr);
            for op in traversal.operators.iter_mut() {
                if let TraversalOperator::Index(index) = op {
                    prepare_expr(index);
                }
            }
            let prefix = match &traversal.expr {
                Expression::Variable(v) if v.as_str() == "local" => LOCAL_PREFIX,
                Expression::Variable(v) if v.as_str() == "var" => VAR_PREFIX,
                Expression::Variable(v) if v.as_str() == "each" => {
                    let root = std::mem::replace(&mut traversal.expr, Expression::Null);
                    traversal.expr = sized(root);
                    return;
                }
                _ => return,
            };
            let Some(TraversalOperator::GetAttr(name)) = traversal.operators.first() else {
                return;
            };
            let variable = sized(Expression::Variable(Variable::unchecked(format!(
                "{prefix}{}",
                name.as_str()
            ))));
            if traversal.operators.len() == 1 {
                *expr = variable;
            } else {
                traversal.operators.remove(0);
                traversal.expr = variable;
            }
        }
        Expression::FuncCall(call) => call.args.iter_mut().for_each(prepare_expr),
        Expression::Parenthesis(inner) => prepare_expr(inner),
        Expression::Conditional(cond) => {
            prepare_expr(&mut cond.cond_expr);
            prepare_expr(&mut cond.true_expr);
            prepare_expr(&mut cond.false_expr);
        }
        Expression::Operation(op) => {
            let arithmetic = match op.as_mut() {
                Operation::Unary(unary) => {
                    prepare_expr(&mut unary.expr);
                    None
                }
                Operation::Binary(binary) => {
                    prepare_expr(&mut binary.lhs_expr);
                    prepare_expr(&mut binary.rhs_expr);
                    arithmetic_symbol(binary.operator).map(|symbol| {
                        let lhs = std::mem::replace(&mut binary.lhs_expr, Expression::Null);
                        let rhs = std::mem::replace(&mut binary.rhs_expr, Expression::Null);
                        vec![Expression::String(symbol.to_string()), lhs, rhs]
                    })
                }
            };
            if let Some(args) = arithmetic {
                *expr = call(ARITH_FUNC, args);
            }
        }
        Expression::ForExpr(for_expr) => {
            prepare_expr(&mut for_expr.collection_expr);
            // Every iteration is counted, so nested loops cannot build without bound.
            let collection = std::mem::replace(&mut for_expr.collection_expr, Expression::Null);
            for_expr.collection_expr = call(COUNTED_FUNC, vec![collection]);
            if let Some(key) = for_expr.key_expr.as_mut() {
                prepare_expr(key);
            }
            prepare_expr(&mut for_expr.value_expr);
            if let Some(cond) = for_expr.cond_expr.as_mut() {
                prepare_expr(cond);
            }
            // Each use of a loop variable copies the element, once per iteration.
            let names = loop_names(&for_expr.value_var, for_expr.key_var.as_ref());
            size_uses(&mut for_expr.value_expr, &names);
            if let Some(key) = for_expr.key_expr.as_mut() {
                size_uses(key, &names);
            }
            if let Some(cond) = for_expr.cond_expr.as_mut() {
                size_uses(cond, &names);
            }
        }
        _ => {}
    }
}

/// The symbol of an arithmetic operator, which [`ARITH_FUNC`] computes.
fn arithmetic_symbol(operator: BinaryOperator) -> Option<&'static str> {
    match operator {
        BinaryOperator::Plus => Some("+"),
        BinaryOperator::Minus => Some("-"),
        BinaryOperator::Mul => Some("*"),
        BinaryOperator::Div => Some("/"),
        BinaryOperator::Mod => Some("%"),
        _ => None,
    }
}

/// `expr` as an argument of [`SIZED_FUNC`].
fn sized(expr: Expression) -> Expression {
    call(SIZED_FUNC, vec![expr])
}

/// Wraps the uses of the variables `names` (a `for` expression's) in `expr` in [`SIZED_FUNC`],
/// except inside a nested `for` that binds one of them again. Templates left as written are
/// not looked into: they build strings, which `max_string_bytes` bounds.
fn size_uses(expr: &mut Expression, names: &[String]) {
    let walk = |e: &mut Expression| size_uses(e, names);
    match expr {
        Expression::Variable(v) if names.iter().any(|n| n == v.as_str()) => {
            let variable = std::mem::replace(expr, Expression::Null);
            *expr = sized(variable);
        }
        Expression::Array(items) => items.iter_mut().for_each(walk),
        Expression::Object(object) => {
            for (_, value) in object.iter_mut() {
                size_uses(value, names);
            }
        }
        Expression::Traversal(traversal) => {
            size_uses(&mut traversal.expr, names);
            for op in traversal.operators.iter_mut() {
                if let TraversalOperator::Index(index) = op {
                    size_uses(index, names);
                }
            }
        }
        Expression::FuncCall(call) => call.args.iter_mut().for_each(walk),
        Expression::Parenthesis(inner) => size_uses(inner, names),
        Expression::Conditional(cond) => {
            size_uses(&mut cond.cond_expr, names);
            size_uses(&mut cond.true_expr, names);
            size_uses(&mut cond.false_expr, names);
        }
        Expression::Operation(op) => match op.as_mut() {
            Operation::Unary(unary) => size_uses(&mut unary.expr, names),
            Operation::Binary(binary) => {
                size_uses(&mut binary.lhs_expr, names);
                size_uses(&mut binary.rhs_expr, names);
            }
        },
        Expression::ForExpr(inner) => {
            size_uses(&mut inner.collection_expr, names);
            let names = not_bound_by(names, &inner.value_var, inner.key_var.as_ref());
            size_uses(&mut inner.value_expr, &names);
            if let Some(key) = inner.key_expr.as_mut() {
                size_uses(key, &names);
            }
            if let Some(cond) = inner.cond_expr.as_mut() {
                size_uses(cond, &names);
            }
        }
        _ => {}
    }
}

/// The variables a `for` expression or directive binds.
fn loop_names(value_var: &Identifier, key_var: Option<&Identifier>) -> Vec<String> {
    let mut names = vec![value_var.as_str().to_string()];
    names.extend(key_var.map(|k| k.as_str().to_string()));
    names
}

/// `names` less those a nested loop binds again (its own uses are its own).
fn not_bound_by(
    names: &[String],
    value_var: &Identifier,
    key_var: Option<&Identifier>,
) -> Vec<String> {
    let inner = loop_names(value_var, key_var);
    names
        .iter()
        .filter(|n| !inner.contains(n))
        .cloned()
        .collect()
}

/// A template left as written (a heredoc, directives, strip markers) is parsed again at each
/// evaluation, so it is not rewritten as a call; but its expressions must be bounded and safe
/// like all others (`%{ for a in range(1000) }%{ for b in range(1000) }...`, `${x % 0}`). When
/// its text may hold an expression, they are prepared (`for` collections counted, references
/// sized, arithmetic checked) and it is written back as text, provided that writing the
/// template back reads the same.
fn prepare_template_as_written(template: &mut TemplateExpr) {
    let raw = match &*template {
        TemplateExpr::QuotedString(raw) => raw,
        TemplateExpr::Heredoc(heredoc) => &heredoc.template,
    };
    if !raw.contains("${") && !raw.contains("%{") {
        return;
    }
    let Ok(mut parsed) = Template::from_expr(template) else {
        return;
    };
    if parsed.to_string().parse::<Template>().ok().as_ref() != Some(&parsed) {
        return;
    }
    prepare_elements(parsed.elements_mut(), &[]);
    let text = parsed.to_string();
    match template {
        TemplateExpr::QuotedString(raw) => *raw = text,
        TemplateExpr::Heredoc(heredoc) => heredoc.template = text,
    }
}

/// Prepares a template read from a file (`templatefile`) as the code's own templates are: its
/// `%{ for }` loops and interpolations count what they render against `max_string_bytes`, its
/// collections against `max_elements`, its arithmetic is checked.
pub(crate) fn prepare_template_file(template: &mut Template) {
    prepare_elements(template.elements_mut(), &[]);
}

/// Prepares the expressions of template elements; `names` are the variables of the `%{ for }`
/// directives around them, whose uses are sized.
fn prepare_elements(elements: &mut [Element], names: &[String]) {
    for element in elements {
        match element {
            Element::Literal(_) => {}
            Element::Interpolation(interp) => {
                prepare_expr(&mut interp.expr);
                size_uses(&mut interp.expr, names);
                let value = std::mem::replace(&mut interp.expr, Expression::Null);
                interp.expr = call(EMIT_FUNC, vec![value]);
            }
            Element::Directive(directive) => match directive.as_mut() {
                Directive::If(d) => {
                    prepare_expr(&mut d.cond_expr);
                    size_uses(&mut d.cond_expr, names);
                    prepare_elements(d.true_template.elements_mut(), names);
                    if let Some(t) = d.false_template.as_mut() {
                        prepare_elements(t.elements_mut(), names);
                    }
                }
                Directive::For(d) => {
                    prepare_expr(&mut d.collection_expr);
                    size_uses(&mut d.collection_expr, names);
                    let collection = std::mem::replace(&mut d.collection_expr, Expression::Null);
                    let text = literal_bytes(d.template.elements());
                    d.collection_expr = call(
                        TEMPLATE_LOOP_FUNC,
                        vec![collection, Expression::Number(text.into())],
                    );
                    let mut inner = not_bound_by(names, &d.value_var, d.key_var.as_ref());
                    inner.extend(loop_names(&d.value_var, d.key_var.as_ref()));
                    prepare_elements(d.template.elements_mut(), &inner);
                }
            },
        }
    }
}

/// The bytes of literal text `elements` render at most: their literals and those of both
/// branches of their `%{ if }` directives; a nested `%{ for }` counts its own.
fn literal_bytes(elements: &[Element]) -> u64 {
    elements
        .iter()
        .map(|element| match element {
            Element::Literal(text) => text.len() as u64,
            Element::Interpolation(_) => 0,
            Element::Directive(directive) => match directive.as_ref() {
                Directive::If(d) => literal_bytes(d.true_template.elements()).saturating_add(
                    d.false_template
                        .as_ref()
                        .map_or(0, |t| literal_bytes(t.elements())),
                ),
                Directive::For(_) => 0,
            },
        })
        .fold(0, u64::saturating_add)
}

/// A call of the function `name` with `args`.
fn call(name: &str, args: Vec<Expression>) -> Expression {
    let mut call = FuncCall::new(FuncName::new(Identifier::unchecked(name)));
    call.args = args;
    Expression::FuncCall(Box::new(call))
}

/// A quoted template of literals and interpolations as a call joining its parts; `None` to keep
/// it as written.
fn prepare_template(template: &TemplateExpr) -> Option<Expression> {
    let TemplateExpr::QuotedString(_) = template else {
        return None;
    };
    let parsed = Template::from_expr(template).ok()?;
    let mut parts = Vec::with_capacity(parsed.elements().len());
    for element in parsed.elements() {
        match element {
            Element::Literal(text) => parts.push(Expression::String(text.clone())),
            Element::Interpolation(interp) if interp.strip == Strip::None => {
                let mut inner = interp.expr.clone();
                prepare_expr(&mut inner);
                parts.push(inner);
            }
            _ => return None,
        }
    }
    // A lone interpolation yields its value unconverted, as in Terraform (`"${var.list}"`).
    if parts.len() == 1 && matches!(parsed.elements()[0], Element::Interpolation(_)) {
        return parts.pop();
    }
    Some(call(TEMPLATE_FUNC, parts))
}

/// The variable an object with a duplicate key is replaced by: never declared, so the
/// expression holding it is unknown, with the reason [`super::eval::unknown_reason`] gives.
pub(crate) const DUPLICATE_PREFIX: &str = "driftd-duplicate-key:";

/// A key an object constructor defines twice, renamed so the file can be read.
pub(crate) struct DuplicateKey {
    /// The name it was given in the text (`driftd-duplicate-N`).
    pub marker: String,
    /// The key as written.
    pub key: String,
    /// `file:line:col` of the second definition.
    pub at: String,
}

/// Replaces every object constructor that holds one of `duplicates`' markers as a key by an
/// undeclared variable naming the key and where it is.
pub(crate) fn set_aside_duplicates(body: &mut Body, duplicates: &[DuplicateKey]) {
    for structure in body.iter_mut() {
        match structure {
            Structure::Attribute(a) => set_aside_in(&mut a.expr, duplicates),
            Structure::Block(b) => set_aside_duplicates(&mut b.body, duplicates),
        }
    }
}

fn set_aside_in(expr: &mut Expression, duplicates: &[DuplicateKey]) {
    let found = match expr {
        Expression::Object(object) => object.keys().find_map(|key| {
            let name = match key {
                ::hcl::ObjectKey::Identifier(id) => id.as_str(),
                ::hcl::ObjectKey::Expression(Expression::String(s)) => s.as_str(),
                _ => return None,
            };
            duplicates.iter().find(|d| d.marker == name)
        }),
        _ => None,
    };
    if let Some(d) = found {
        *expr = Expression::Variable(Variable::unchecked(format!(
            "{DUPLICATE_PREFIX}{}\0{}",
            d.key, d.at
        )));
        return;
    }
    match expr {
        Expression::Array(items) => items.iter_mut().for_each(|e| set_aside_in(e, duplicates)),
        Expression::Object(object) => {
            for (_, value) in object.iter_mut() {
                set_aside_in(value, duplicates);
            }
        }
        Expression::Traversal(traversal) => {
            set_aside_in(&mut traversal.expr, duplicates);
            for op in traversal.operators.iter_mut() {
                if let TraversalOperator::Index(index) = op {
                    set_aside_in(index, duplicates);
                }
            }
        }
        Expression::FuncCall(call) => call
            .args
            .iter_mut()
            .for_each(|e| set_aside_in(e, duplicates)),
        Expression::Parenthesis(inner) => set_aside_in(inner, duplicates),
        Expression::Conditional(cond) => {
            set_aside_in(&mut cond.cond_expr, duplicates);
            set_aside_in(&mut cond.true_expr, duplicates);
            set_aside_in(&mut cond.false_expr, duplicates);
        }
        Expression::Operation(op) => match op.as_mut() {
            Operation::Unary(unary) => set_aside_in(&mut unary.expr, duplicates),
            Operation::Binary(binary) => {
                set_aside_in(&mut binary.lhs_expr, duplicates);
                set_aside_in(&mut binary.rhs_expr, duplicates);
            }
        },
        Expression::ForExpr(for_expr) => {
            set_aside_in(&mut for_expr.collection_expr, duplicates);
            if let Some(key) = for_expr.key_expr.as_mut() {
                set_aside_in(key, duplicates);
            }
            set_aside_in(&mut for_expr.value_expr, duplicates);
            if let Some(cond) = for_expr.cond_expr.as_mut() {
                set_aside_in(cond, duplicates);
            }
        }
        _ => {}
    }
}
