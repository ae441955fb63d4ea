// TorchSharp's seed and thread count are process-wide: tests run one at a time.
[assembly: DoNotParallelize]
