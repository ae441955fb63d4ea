"""PyTorch reference for the training-throughput benchmark.

Trains the same dense denoising autoencoder as Autoencoders.Training (Linear -> Tanh -> Linear code -> Linear -> Tanh ->
Linear, Gaussian input noise, MSE against the clean rows, Adam, shuffled minibatches) on the same standardized float32
rows, written by the benchmark program, and prints one JSON line with samples per second over the timed epochs (the
first epoch is a warm-up).
"""
import argparse
import json
import time

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="raw little-endian float32 rows")
    parser.add_argument("--features", type=int, required=True)
    parser.add_argument("--hidden", type=int, required=True)
    parser.add_argument("--latent", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--noise", type=float, required=True, help="standard deviation of the Gaussian input noise")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rows = np.fromfile(args.data, dtype=np.float32).reshape(-1, args.features)
    data = torch.from_numpy(rows)
    model = torch.nn.Sequential(
        torch.nn.Linear(args.features, args.hidden), torch.nn.Tanh(), torch.nn.Linear(args.hidden, args.latent),
        torch.nn.Linear(args.latent, args.hidden), torch.nn.Tanh(), torch.nn.Linear(args.hidden, args.features))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    generator = torch.Generator().manual_seed(0)

    timed_rows = 0
    timed_seconds = 0.0
    for epoch in range(args.epochs):
        start = time.perf_counter()
        permutation = torch.randperm(len(data), generator=generator)
        for begin in range(0, len(data), args.batch):
            x = data[permutation[begin:begin + args.batch]]
            optimizer.zero_grad()
            noisy = x + args.noise * torch.randn(x.shape, generator=generator) if args.noise > 0 else x
            loss = loss_fn(model(noisy), x)
            loss.item()  # as the C# trainer reads each minibatch loss (divergence check)
            loss.backward()
            optimizer.step()
        if epoch > 0:
            timed_seconds += time.perf_counter() - start
            timed_rows += len(data)
    print(json.dumps({"samples_per_second": timed_rows / timed_seconds, "threads": torch.get_num_threads(),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
