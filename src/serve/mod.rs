//! `scaffold serve`: the web page and the HTTP API over the same engine as `scaffold new`.
//!
//! - [`engine`] is the only module that calls the core (choose, resolve, render, record);
//! - [`api`] turns HTTP requests into engine requests and answers JSON or a zip;
//! - [`archive`] packs a starter into a zip with the modes `scaffold new` gives its files;
//! - [`assets`] holds the page (HTML, CSS, JS), embedded in the binary.
//!
//! The server never writes to disk, never loads a pack a request names (only the built-in
//! packs and those given with `--packs`), bounds what a request may carry, and stops on
//! SIGTERM or Ctrl-C after the requests in flight have been answered.

pub mod api;
pub mod archive;
pub mod assets;
pub mod engine;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::ServeArgs;
use crate::error::{Error, Result};
use crate::ui::{sanitize, Ui};

/// How long the server waits for requests in flight after a stop signal.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// Run `scaffold serve` until SIGTERM or Ctrl-C.
///
/// # Errors
/// A bad `--addr`, an address that cannot be bound, or a broken pack in `--packs`.
pub fn run(args: &ServeArgs, ui: Ui) -> Result<()> {
    // The interrupt handler installed for every command exits at once; here a signal
    // must only start the drain, so the server's life counts as a deferred phase.
    let _deferred = crate::interrupt::WritePhase::enter();
    let addr: SocketAddr = args.addr.trim().parse().map_err(|_| {
        Error::usage(format!(
            "invalid --addr `{}`: expected IP:PORT, such as 127.0.0.1:8080 (port 0 picks a free port)",
            sanitize(&args.addr)
        ))
    })?;
    let engine = engine::Engine::new(&args.packs)?;
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        Error::usage(format!(
            "cannot listen on {addr}: {e}; choose another --addr (port 0 picks a free port)"
        ))
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("cannot configure the socket for", addr.to_string(), e))?;
    let bound = listener.local_addr().unwrap_or(addr);
    if !bound.ip().is_loopback() {
        ui.warn(&format!(
            "listening on {bound}, which other machines may reach: scaffold serve has no authentication, so anyone who reaches it can use it; bind 127.0.0.1 or put it behind a proxy that authenticates"
        ));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .thread_name("scaffold-serve")
        .build()
        .map_err(|e| Error::io("cannot start the server runtime for", bound.to_string(), e))?;
    let packs = engine.pack_names().join(", ");
    let state = Arc::new(api::State::new(engine, bound));
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::io("cannot listen on", bound.to_string(), e))?;
        ui.status(&format!(
            "scaffold serve: listening on http://{bound}/ (packs: {})",
            sanitize(&packs)
        ));
        let app = api::router(state);
        let stop = Arc::new(tokio::sync::Notify::new());
        let stopping = Arc::clone(&stop);
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            while !crate::interrupt::requested() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            eprintln!("scaffold serve: stopping; finishing the requests in flight");
            stopping.notify_one();
        });
        tokio::select! {
            outcome = server => outcome.map_err(|e| Error::io("the server failed on", bound.to_string(), e))?,
            () = async {
                stop.notified().await;
                tokio::time::sleep(DRAIN_LIMIT).await;
            } => {
                ui.warn(&format!(
                    "requests still running after {} s were cut off",
                    DRAIN_LIMIT.as_secs()
                ));
            }
        }
        ui.status("scaffold serve: stopped");
        Ok::<(), Error>(())
    })?;
    // Renders still running (a runaway template in a served pack) must not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(())
}
