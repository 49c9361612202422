//! `try` and `can`, which Terraform evaluates lazily: `try(a, b)` is `a` unless evaluating `a`
//! fails, and `can(a)` tells whether it fails. hcl-rs evaluates every argument of a call before
//! calling, so these two are resolved before evaluation: [`resolve`] evaluates each argument on
//! its own and replaces the call with the value it gives.
//!
//! A failure because something is not known from code (a data source, a resource attribute, a
//! variable without a value, a function driftd does not evaluate) is not a failure in Terraform:
//! the value is unknown there too, so the call is left as written and the attribute stays
//! unknown. Only a real error (a missing object attribute, an index out of range, a wrong type,
//! a function that rejects its argument) moves `try` to its next argument, or makes `can` false.
//!
//! `for` expressions whose body calls `try` or `can` are expanded here as well, since their
//! body is evaluated once per element with the loop variables bound: each element's body has
//! the loop variables replaced by the element's values, then is resolved and evaluated.

use ::hcl::eval::{Context, ErrorKind, Evaluate};
use ::hcl::expr::{
    Conditional, Expression, ForExpr, FuncCall, ObjectKey, Operation, TraversalOperator,
};
use ::hcl::{Identifier, Map, Value};

use super::super::prepare::{COUNTED_FUNC, SIZED_FUNC};

fn is_lazy(call: &FuncCall) -> bool {
    call.name.namespace.is_empty() && matches!(call.name.name.as_str(), "try" | "can")
}

/// Whether `expr` calls `try` or `can` anywhere.
pub(crate) fn has_lazy(expr: &Expression) -> bool {
    match expr {
        Expression::FuncCall(call) => is_lazy(call) || call.args.iter().any(has_lazy),
        Expression::Array(items) => items.iter().any(has_lazy),
        Expression::Object(object) => object
            .iter()
            .any(|(k, v)| has_lazy(v) || matches!(k, ObjectKey::Expression(k) if has_lazy(k))),
        Expression::Traversal(t) => {
            has_lazy(&t.expr)
                || t.operators
                    .iter()
                    .any(|op| matches!(op, TraversalOperator::Index(i) if has_lazy(i)))
        }
        Expression::Parenthesis(inner) => has_lazy(inner),
        Expression::Conditional(c) => {
            has_lazy(&c.cond_expr) || has_lazy(&c.true_expr) || has_lazy(&c.false_expr)
        }
        Expression::Operation(op) => match op.as_ref() {
            Operation::Unary(u) => has_lazy(&u.expr),
            Operation::Binary(b) => has_lazy(&b.lhs_expr) || has_lazy(&b.rhs_expr),
        },
        Expression::ForExpr(f) => {
            has_lazy(&f.collection_expr)
                || has_lazy(&f.value_expr)
                || f.key_expr.as_ref().is_some_and(has_lazy)
                || f.cond_expr.as_ref().is_some_and(has_lazy)
        }
        _ => false,
    }
}

/// Whether an evaluation error means "not known from code" rather than a real error.
fn is_unknown(err: &::hcl::eval::Error) -> bool {
    match err.kind() {
        ErrorKind::UndefinedVar(_) | ErrorKind::UndefinedFunc(_) | ErrorKind::Message(_) => true,
        ErrorKind::FuncCall(name, msg) => {
            super::unknown_call_reason(name.name.as_str(), msg).is_some()
                || matches!(name.name.as_str(), "try" | "can")
                // A bound of the load reached: not an error of the code, whose value is then
                // not known here (`try` must not fall back to its next argument).
                || matches!(name.name.as_str(), SIZED_FUNC | COUNTED_FUNC)
        }
        // `var.x` or `local.x` read through the whole `var` / `local` object: a missing key is a
        // value that is not known, not a missing attribute.
        ErrorKind::NoSuchKey(key) => {
            let text = err.expr().map(ToString::to_string).unwrap_or_default();
            text.contains(&format!("var.{key}")) || text.contains(&format!("local.{key}"))
        }
        _ => false,
    }
}

/// `expr` with every `try` / `can` call that can be decided replaced by its value.
pub(crate) fn resolve(expr: &Expression, ctx: &Context) -> Expression {
    match expr {
        Expression::FuncCall(call) if is_lazy(call) && !call.expand_final => {
            let args: Vec<Expression> = call.args.iter().map(|a| resolve(a, ctx)).collect();
            let is_try = call.name.name.as_str() == "try";
            for arg in &args {
                match arg.evaluate(ctx) {
                    Ok(v) if is_try => return Expression::from(v),
                    Ok(_) => return Expression::Bool(true),
                    // The argument itself: evaluating it fails with the reason it is unknown.
                    Err(e) if is_unknown(&e) => return arg.clone(),
                    Err(_) if is_try => continue,
                    Err(_) => return Expression::Bool(false),
                }
            }
            let mut call = call.as_ref().clone();
            call.args = args;
            Expression::FuncCall(Box::new(call))
        }
        Expression::FuncCall(call) => {
            let mut call = call.as_ref().clone();
            call.args = call.args.iter().map(|a| resolve(a, ctx)).collect();
            Expression::FuncCall(Box::new(call))
        }
        Expression::Array(items) => {
            Expression::Array(items.iter().map(|e| resolve(e, ctx)).collect())
        }
        Expression::Object(object) => Expression::Object(
            object
                .iter()
                .map(|(k, v)| {
                    let k = match k {
                        ObjectKey::Expression(k) => ObjectKey::Expression(resolve(k, ctx)),
                        other => other.clone(),
                    };
                    (k, resolve(v, ctx))
                })
                .collect(),
        ),
        Expression::Traversal(t) => {
            let mut t = t.as_ref().clone();
            t.expr = resolve(&t.expr, ctx);
            for op in t.operators.iter_mut() {
                if let TraversalOperator::Index(i) = op {
                    *i = resolve(i, ctx);
                }
            }
            Expression::Traversal(Box::new(t))
        }
        Expression::Parenthesis(inner) => Expression::Parenthesis(Box::new(resolve(inner, ctx))),
        Expression::Conditional(c) => Expression::Conditional(Box::new(Conditional {
            cond_expr: resolve(&c.cond_expr, ctx),
            true_expr: resolve(&c.true_expr, ctx),
            false_expr: resolve(&c.false_expr, ctx),
        })),
        Expression::Operation(op) => {
            let mut op = op.as_ref().clone();
            match &mut op {
                Operation::Unary(u) => u.expr = resolve(&u.expr, ctx),
                Operation::Binary(b) => {
                    b.lhs_expr = resolve(&b.lhs_expr, ctx);
                    b.rhs_expr = resolve(&b.rhs_expr, ctx);
                }
            }
            Expression::Operation(Box::new(op))
        }
        Expression::ForExpr(f) => {
            let body_lazy = has_lazy(&f.value_expr)
                || f.key_expr.as_ref().is_some_and(has_lazy)
                || f.cond_expr.as_ref().is_some_and(has_lazy);
            if body_lazy {
                if let Some(v) = expand_for(f, ctx) {
                    return Expression::from(v);
                }
            }
            let mut f = f.as_ref().clone();
            f.collection_expr = resolve(&f.collection_expr, ctx);
            Expression::ForExpr(Box::new(f))
        }
        other => other.clone(),
    }
}

/// Evaluates a `for` expression element by element, with `try` / `can` resolved in its body.
/// `None` when any part cannot be evaluated: the caller leaves the expression as written.
fn expand_for(f: &ForExpr, ctx: &Context) -> Option<Value> {
    let items: Vec<(Value, Value)> = match resolve(&f.collection_expr, ctx).evaluate(ctx).ok()? {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i as u64), v))
            .collect(),
        Value::Object(map) => map.into_iter().map(|(k, v)| (Value::from(k), v)).collect(),
        _ => return None,
    };
    let mut list = Vec::new();
    let mut object: Map<String, Value> = Map::new();
    for (k, v) in items {
        let mut binds: Vec<(&Identifier, Expression)> = vec![(&f.value_var, Expression::from(v))];
        if let Some(key_var) = &f.key_var {
            binds.push((key_var, Expression::from(k)));
        }
        let eval = |e: &Expression| resolve(&substitute(e, &binds), ctx).evaluate(ctx).ok();
        if let Some(cond) = &f.cond_expr {
            if eval(cond)? != Value::Bool(true) {
                continue;
            }
        }
        let value = eval(&f.value_expr)?;
        match &f.key_expr {
            None => list.push(value),
            Some(key_expr) => {
                let key = match eval(key_expr)? {
                    Value::String(s) => s,
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                if f.grouping {
                    match object
                        .entry(key)
                        .or_insert_with(|| Value::Array(Vec::new()))
                    {
                        Value::Array(group) => group.push(value),
                        _ => return None,
                    }
                } else if object.insert(key, value).is_some() {
                    // A duplicate key is an error; leave it to the evaluator to report.
                    return None;
                }
            }
        }
    }
    Some(match f.key_expr {
        None => Value::Array(list),
        Some(_) => Value::Object(object),
    })
}

/// `expr` with the variables of `binds` replaced by their values, except where a nested `for`
/// binds the same name again.
fn substitute(expr: &Expression, binds: &[(&Identifier, Expression)]) -> Expression {
    let sub = |e: &Expression| substitute(e, binds);
    match expr {
        Expression::Variable(v) => binds
            .iter()
            .find(|(name, _)| name.as_str() == v.as_str())
            .map_or_else(|| expr.clone(), |(_, value)| value.clone()),
        Expression::FuncCall(call) => {
            let mut call = call.as_ref().clone();
            call.args = call.args.iter().map(sub).collect();
            Expression::FuncCall(Box::new(call))
        }
        Expression::Array(items) => Expression::Array(items.iter().map(sub).collect()),
        Expression::Object(object) => Expression::Object(
            object
                .iter()
                .map(|(k, v)| {
                    let k = match k {
                        ObjectKey::Expression(k) => ObjectKey::Expression(sub(k)),
                        other => other.clone(),
                    };
                    (k, sub(v))
                })
                .collect(),
        ),
        Expression::Traversal(t) => {
            let mut t = t.as_ref().clone();
            t.expr = sub(&t.expr);
            for op in t.operators.iter_mut() {
                if let TraversalOperator::Index(i) = op {
                    *i = sub(i);
                }
            }
            Expression::Traversal(Box::new(t))
        }
        Expression::Parenthesis(inner) => Expression::Parenthesis(Box::new(sub(inner))),
        Expression::Conditional(c) => Expression::Conditional(Box::new(Conditional {
            cond_expr: sub(&c.cond_expr),
            true_expr: sub(&c.true_expr),
            false_expr: sub(&c.false_expr),
        })),
        Expression::Operation(op) => {
            let mut op = op.as_ref().clone();
            match &mut op {
                Operation::Unary(u) => u.expr = sub(&u.expr),
                Operation::Binary(b) => {
                    b.lhs_expr = sub(&b.lhs_expr);
                    b.rhs_expr = sub(&b.rhs_expr);
                }
            }
            Expression::Operation(Box::new(op))
        }
        Expression::ForExpr(f) => {
            let mut f = f.as_ref().clone();
            f.collection_expr = sub(&f.collection_expr);
            let shadowed: Vec<(&Identifier, Expression)> = binds
                .iter()
                .filter(|(name, _)| *name != &f.value_var && f.key_var.as_ref() != Some(*name))
                .cloned()
                .collect();
            f.value_expr = substitute(&f.value_expr, &shadowed);
            f.key_expr = f.key_expr.as_ref().map(|e| substitute(e, &shadowed));
            f.cond_expr = f.cond_expr.as_ref().map(|e| substitute(e, &shadowed));
            Expression::ForExpr(Box::new(f))
        }
        // A template with directives or a heredoc: its interpolations may name the variables,
        // which cannot be replaced inside the template; evaluation then fails and the caller
        // leaves the `for` as written.
        other => other.clone(),
    }
}
