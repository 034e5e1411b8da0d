//! In-process cost of one `scaffold serve` download, without HTTP: loading the pack,
//! resolving and rendering the plan (what `POST /api/plan` does), and zipping it.
//!
//!   cargo bench --bench serve_engine
//!
//! Prints the mean of `RUNS` (default 50) iterations per step for FastAPI and the hybrid.

use std::time::{Duration, Instant};

use scaffold::serve::{archive, engine::Engine, engine::StarterRequest};

fn mean(runs: u32, mut f: impl FnMut()) -> Duration {
    f();
    let t = Instant::now();
    for _ in 0..runs {
        f();
    }
    t.elapsed() / runs
}

fn main() {
    let runs: u32 = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(50);
    let engine = Engine::new(&[]).expect("the built-in packs load");
    for stack in ["fastapi", "django", "express", "nestjs", "hybrid"] {
        let req = StarterRequest {
            name: Some("bench".into()),
            stack: Some(stack.into()),
            ..StarterRequest::default()
        };
        let plan = mean(runs, || {
            engine.plan(&req).expect("renders");
        });
        let starter = engine.plan(&req).expect("renders");
        let mut bytes = 0;
        let zip = mean(runs, || {
            bytes = archive::zip(&starter).expect("zips").len();
        });
        println!(
            "{stack:>8}: {:>3} files, plan {:>6.2} ms, zip {:>6.2} ms ({} KB), together {:>6.2} ms",
            starter.files.len(),
            plan.as_secs_f64() * 1e3,
            zip.as_secs_f64() * 1e3,
            bytes / 1000,
            (plan + zip).as_secs_f64() * 1e3
        );
    }
}
