using Autoencoders.Tests.Support;
using Autoencoders.Training.Onnx;
using Autoencoders.Training.Onnx.Proto;
using Autoencoders.Training.Trainers;
using Google.Protobuf;

namespace Autoencoders.Tests.Onnx;

/// <summary>
/// What the loaders check before a model file reaches ONNX Runtime: that this library wrote it (its metadata, one float
/// input of fixed width, Score and PredictedLabel outputs, a threshold) and that it holds all its data itself (no tensor
/// pointing to another file, which would make ONNX Runtime read a file the model names).
/// </summary>
[TestClass]
public sealed class LoadingTests
{
    private static ModelProto Exported()
    {
        using var trained = new AutoencoderTrainer(new TrainerOptions { NumberOfEpochs = 1, Seed = 1 }).Fit(SyntheticData.Normal(40, 5, seed: 1));
        return trained.ExportOnnx(1f).Proto.Clone();
    }

    [TestMethod]
    public void ForeignModel_WithoutTheLibrarysMetadata_IsRefused_ByName()
    {
        var proto = Exported();
        proto.MetadataProps.Clear();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderOnnxModel.FromBytes(proto.ToByteArray(), "'other.onnx'"));
        StringAssert.Contains(error.Message, "'other.onnx' is not an autoencoder exported by Autoencoders.ML");
        StringAssert.Contains(error.Message, OnnxNames.VersionKey);
    }

    [TestMethod]
    public void ExternalData_IsRefused_BeforeOnnxRuntimeReadsAnything()
    {
        var proto = Exported();
        var weight = proto.Graph.Initializer.First(t => t.Name == "standardizer_mean");
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "/etc/passwd" });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderOnnxModel.FromBytes(proto.ToByteArray()));
        StringAssert.Contains(error.Message, "'standardizer_mean' refers to data in another file");

        // Its own, unchanged, loads.
        Assert.AreEqual(5, AutoencoderOnnxModel.FromBytes(Exported().ToByteArray()).InputSize);
    }
}
