//! How long reading, validating and checking take on the shipped instances.
fn main() {}
