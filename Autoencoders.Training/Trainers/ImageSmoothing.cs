using Autoencoders.Training.Corruptions;
using Autoencoders.Training.Models;
using static TorchSharp.torch;

namespace Autoencoders.Training.Trainers;

/// <summary>The Gaussian blur by which <see cref="NeighborScore"/> compares image rows: their layout and σ in pixels.</summary>
internal sealed record ImageSmoothing(ImageShape Shape, double Sigma)
{
    /// <summary>The 1-D kernel (<see cref="GaussianBlur.MakeKernel"/>), applied along rows and then columns.</summary>
    public float[] Kernel { get; } = GaussianBlur.MakeKernel(Sigma);

    /// <summary>Rows <paramref name="x"/> [N, features] of images laid out as <see cref="Shape"/>, blurred channel by channel.</summary>
    public Tensor Apply(Tensor x)
    {
        var images = x.reshape(x.shape[0], Shape.Channels, Shape.Height, Shape.Width);
        return GaussianBlur.Blur(images, Shape.Channels, Kernel).reshape(x.shape[0], Shape.Size);
    }
}
