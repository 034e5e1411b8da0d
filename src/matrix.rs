//! The combinations `scaffold pack test --matrix` renders: every assignment of a pack's
//! choice and bool variables, or, when that product is large, a pairwise subset in which
//! every pair of values of every two variables still appears at least once.

use std::collections::BTreeSet;

use crate::pack::{Kind, Manifest, Value};

/// Above this many combinations the full product gives way to a pairwise subset.
pub const FULL_PRODUCT_LIMIT: usize = 64;

/// The values a variable takes in a matrix: every choice, both booleans, or the default
/// (an empty string or 0 without one).
pub(crate) fn domain(var: &crate::pack::Variable) -> Vec<Value> {
    match var.kind {
        Kind::Bool => vec![Value::Bool(false), Value::Bool(true)],
        Kind::Choice => var
            .choices
            .iter()
            .map(|c| Value::String(c.clone()))
            .collect(),
        Kind::String => vec![var.default.clone().unwrap_or(Value::String(String::new()))],
        Kind::Integer => vec![var.default.clone().unwrap_or(Value::Integer(0))],
    }
}

/// The full product of some variables' domains, or `None` above `cap` combinations.
pub(crate) fn product(
    vars: &[(String, Vec<Value>)],
    cap: usize,
) -> Option<Vec<Vec<(String, Value)>>> {
    let size = vars
        .iter()
        .try_fold(1usize, |acc, (_, d)| acc.checked_mul(d.len().max(1)))?;
    if size > cap {
        return None;
    }
    Some(
        full_product(vars)
            .into_iter()
            .map(|row| assign(vars, row))
            .collect(),
    )
}

fn assign(vars: &[(String, Vec<Value>)], row: Vec<usize>) -> Vec<(String, Value)> {
    vars.iter()
        .zip(row)
        .map(|((name, dom), i)| (name.clone(), dom[i].clone()))
        .collect()
}

/// Which variables vary (choice and bool) and their domains.
fn varying(m: &Manifest) -> Vec<(String, Vec<Value>)> {
    m.variables
        .iter()
        .filter(|v| matches!(v.kind, Kind::Bool | Kind::Choice))
        .map(|v| (v.name.clone(), domain(v)))
        .collect()
}

/// The combinations to test, as `--set` pairs of the varying variables, in a stable order.
/// Variables that do not vary keep their defaults.
#[must_use]
pub fn combinations(m: &Manifest) -> Vec<Vec<(String, Value)>> {
    let vars = varying(m);
    product(&vars, FULL_PRODUCT_LIMIT).unwrap_or_else(|| {
        pairwise(&vars)
            .into_iter()
            .map(|row| assign(&vars, row))
            .collect()
    })
}

fn full_product(vars: &[(String, Vec<Value>)]) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    for (_, dom) in vars {
        rows = rows
            .into_iter()
            .flat_map(|r| {
                (0..dom.len()).map(move |i| {
                    let mut n = r.clone();
                    n.push(i);
                    n
                })
            })
            .collect();
    }
    rows
}

/// A greedy all-pairs cover: each row starts from the first uncovered pair and fills the
/// other variables with the value covering most uncovered pairs (ties: the lowest index).
fn pairwise(vars: &[(String, Vec<Value>)]) -> Vec<Vec<usize>> {
    let n = vars.len();
    let mut uncovered: BTreeSet<(usize, usize, usize, usize)> = BTreeSet::new();
    for i in 0..n {
        for j in i + 1..n {
            for a in 0..vars[i].1.len() {
                for b in 0..vars[j].1.len() {
                    uncovered.insert((i, a, j, b));
                }
            }
        }
    }
    let mut rows = Vec::new();
    while let Some(&(i, a, j, b)) = uncovered.iter().next() {
        let mut row: Vec<Option<usize>> = vec![None; n];
        row[i] = Some(a);
        row[j] = Some(b);
        for k in 0..n {
            if row[k].is_some() {
                continue;
            }
            let gain = |v: usize| {
                row.iter()
                    .enumerate()
                    .filter_map(|(x, val)| val.map(|val| (x, val)))
                    .filter(|&(x, val)| {
                        let key = if x < k {
                            (x, val, k, v)
                        } else {
                            (k, v, x, val)
                        };
                        uncovered.contains(&key)
                    })
                    .count()
            };
            let best = (0..vars[k].1.len())
                .max_by_key(|&v| (gain(v), std::cmp::Reverse(v)))
                .unwrap_or(0);
            row[k] = Some(best);
        }
        let row: Vec<usize> = row.into_iter().map(|v| v.unwrap_or(0)).collect();
        for x in 0..n {
            for y in x + 1..n {
                uncovered.remove(&(x, row[x], y, row[y]));
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        rows.push(vec![0; n]);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(vars: &str) -> Manifest {
        Manifest::parse(&format!(
            "[pack]\nname='t'\nversion='0.1.0'\ndescription='t'\n{vars}"
        ))
        .unwrap()
    }

    #[test]
    fn full_product_when_small() {
        let m = manifest(
            "[[variables]]\nname='db'\ntype='choice'\nchoices=['a','b','c']\ndefault='a'\n\
             [[variables]]\nname='docker'\ntype='bool'\ndefault=true\n\
             [[variables]]\nname='author'\ntype='string'\ndefault='x'\n",
        );
        let combos = combinations(&m);
        assert_eq!(combos.len(), 6);
        assert!(
            combos.iter().all(|c| c.len() == 2),
            "strings keep their default"
        );
    }

    #[test]
    fn pairwise_covers_every_pair_with_far_fewer_rows() {
        let mut vars = String::new();
        for i in 0..10 {
            vars.push_str(&format!(
                "[[variables]]\nname='v{i}'\ntype='choice'\nchoices=['a','b','c']\ndefault='a'\n"
            ));
        }
        let m = manifest(&vars);
        let combos = combinations(&m);
        assert!(
            combos.len() < 30,
            "{} rows for 3^10 = 59049 combinations",
            combos.len()
        );
        for i in 0..10 {
            for j in i + 1..10 {
                for a in ["a", "b", "c"] {
                    for b in ["a", "b", "c"] {
                        let covered = combos.iter().any(|c| {
                            c[i].1 == Value::String(a.into()) && c[j].1 == Value::String(b.into())
                        });
                        assert!(covered, "v{i}={a}, v{j}={b} not covered");
                    }
                }
            }
        }
    }

    #[test]
    fn no_variables_is_one_combination() {
        assert_eq!(
            combinations(&manifest("")),
            vec![Vec::<(String, Value)>::new()]
        );
    }
}
