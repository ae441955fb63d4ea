using Autoencoders.Benchmarks.Support;
using Autoencoders.Benchmarks.Contention;
using Autoencoders.Benchmarks.Denoise;
using Autoencoders.Benchmarks.Features;
using Autoencoders.Benchmarks.OneClass;
using Autoencoders.Benchmarks.Serve;
using Autoencoders.Benchmarks.Soak;
using Autoencoders.Benchmarks.Tabular;
using Autoencoders.Benchmarks.Throughput;
using BenchmarkDotNet.Running;

// The one benchmark program of the library. Subcommands:
//   throughput   scoring and training throughput ratios in one table (see ThroughputCommand)
//   denoise      Fashion-MNIST denoising PSNR table and image grid (see DenoiseCommand)
//   features     Fashion-MNIST classification accuracy on raw, PCA and latent features (see FeaturesCommand)
//   fmnist-oneclass  Fashion-MNIST one-class anomaly detection AUC per class (see FashionMnistOneClassCommand)
//   tabular      one-class anomaly detection on the tabular development suite against k-NN, IsolationForest, PCA (see TabularCommand)
//   serve        the scoring service under load: requests/s, latency, a model swap, failed requests, wrong scores (see ServeCommand)
//   contention   Fit alone, beside a busy loop and beside a second training process (see ContentionCommand)
//   soak         every stage kind fitted and scored for a bounded time under forced garbage collections (see SoakCommand)
//   micro        BenchmarkDotNet microbenchmarks (arguments after 'micro' go to BenchmarkDotNet, e.g. --filter '*')
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Autoencoders.Benchmarks <throughput|denoise|features|fmnist-oneclass|tabular|serve|soak|contention|micro> [options]");
    return 2;
}
return args[0] switch
{
    "throughput" => ThroughputCommand.Run(new Arguments(args[1..])),
    "denoise" => DenoiseCommand.Run(new Arguments(args[1..])),
    "features" => FeaturesCommand.Run(new Arguments(args[1..])),
    "fmnist-oneclass" => FashionMnistOneClassCommand.Run(new Arguments(args[1..])),
    "tabular" => TabularCommand.Run(new Arguments(args[1..])),
    "serve" => ServeCommand.Run(new Arguments(args[1..])),
    "soak" => SoakCommand.Run(new Arguments(args[1..])),
    "contention" => ContentionCommand.Run(new Arguments(args[1..])),
    "contention-fit" => ContentionFit.Run(new Arguments(args[1..])),
    "micro" => RunMicro(args[1..]),
    _ => Unknown(args[0]),
};

static int RunMicro(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(ThroughputCommand).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest);
    return 0;
}

static int Unknown(string command)
{
    Console.Error.WriteLine($"unknown subcommand '{command}'; expected throughput, denoise, features, fmnist-oneclass, tabular, serve, soak, contention or micro");
    return 2;
}
