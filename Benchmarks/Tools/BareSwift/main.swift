// The reference for "bare Swift process start": a release executable that links only the Swift runtime and
// standard library (no Foundation), prints one line and exits. The CLI latency benchmark times it next to
// `docket`, so the difference is what Docket itself costs.
print("ok")
