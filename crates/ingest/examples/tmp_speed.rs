//! Temporary throughput probe (not committed).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fmt = args.get(1).map(|f| f.parse().unwrap());
    let opts = swarmscan_ingest::ReadOptions { format: fmt, ..Default::default() };
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let (ev, rep) = swarmscan_ingest::read_inputs(&args[..1], &opts, None).unwrap();
        let dt = t.elapsed().as_secs_f64();
        let f = &rep.files[0];
        eprintln!("{} events, {:?} skipped, {:.1} MB in {:.3}s = {:.0} MB/s", ev.len(), f.skipped, f.bytes as f64 / 1e6, dt, f.bytes as f64 / 1e6 / dt);
    }
}
