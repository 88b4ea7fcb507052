//! `/metrics` in the Prometheus text format: requests by route and status, their
//! latency, solve durations, bookings by outcome, and waitlist offers by event.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The service's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Requests by route template, method and status.
    pub requests: IntCounterVec,
    /// Request latency by route template.
    pub latency: HistogramVec,
    /// Solve wall time by final status.
    pub solves: HistogramVec,
    /// Booking operations by kind and outcome.
    pub bookings: IntCounterVec,
    /// Waitlist offers by event: made, accepted, declined, expired, withdrawn.
    pub offers: IntCounterVec,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("houniao_http_requests_total", "HTTP requests handled"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "houniao_http_request_duration_seconds",
                "HTTP request latency",
            )
            .buckets(vec![
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0, 5.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let solves = HistogramVec::new(
            HistogramOpts::new("houniao_solve_duration_seconds", "Solve job wall time")
                .buckets(vec![0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0]),
            &["status"],
        )
        .expect("valid metric");
        let bookings = IntCounterVec::new(
            Opts::new("houniao_bookings_total", "Booking operations"),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let offers = IntCounterVec::new(
            Opts::new(
                "houniao_offers_total",
                "Waitlist offers of freed places, by event",
            ),
            &["event"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(solves.clone()),
            Box::new(bookings.clone()),
            Box::new(offers.clone()),
        ] {
            registry.register(metric).expect("registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            solves,
            bookings,
            offers,
        }
    }

    /// Everything in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("metrics encode");
        String::from_utf8(buffer).expect("metrics are text")
    }
}
