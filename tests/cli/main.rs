//! Integration tests: the real `scaffold` binary, run in temporary directories.

mod helpers;

mod errors;
mod examples;
mod flags;
mod hardening;
mod interactive;
mod limits;
mod list;
mod locking;
mod names;
mod needs;
mod new;
mod pack;
mod polish;
mod reading;
mod stacks;
mod trust;
