using Microsoft.Extensions.Options;

namespace FleetGrains.Inference.Onnx;

/// <summary>How this silo serves models; bound from <c>Fleet:Inference</c>.</summary>
public sealed class InferenceOptions
{
    public const string Section = "Fleet:Inference";

    /// <summary>The execution provider to ask for; when it cannot be loaded the silo serves on CPU and says so.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>The GPU to use with CUDA or TensorRT.</summary>
    public int GpuDeviceId { get; set; }

    /// <summary>Threads of one ONNX Runtime run on CPU; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Where model files are found: <c>{id}.onnx</c> is version 1, <c>{id}.v{N}.onnx</c> version N.</summary>
    public string ModelDirectory { get; set; } = "models";

    /// <summary>Most rows one ONNX Runtime run takes; concurrent batches are merged up to this.</summary>
    public int MaxRunRows { get; set; } = 1024;

    /// <summary>Most rows a model host holds waiting; beyond it requests are refused (backpressure).</summary>
    public int MaxQueuedRows { get; set; } = 16384;

    /// <summary>The silo-local batcher sends a batch when it holds this many rows for one model…</summary>
    public int BatchMaxRows { get; set; } = 256;

    /// <summary>…or when its oldest request has waited this long.</summary>
    public TimeSpan BatchMaxDelay { get; set; } = TimeSpan.FromMilliseconds(1);
}

public sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions o)
    {
        var failures = new List<string>();
        if (o.GpuDeviceId < 0 || o.IntraOpThreads < 0)
        {
            failures.Add($"{InferenceOptions.Section}:GpuDeviceId and IntraOpThreads must not be negative.");
        }

        if (string.IsNullOrWhiteSpace(o.ModelDirectory))
        {
            failures.Add($"{InferenceOptions.Section}:ModelDirectory must not be empty.");
        }

        if (o.MaxRunRows < 1 || o.BatchMaxRows < 1)
        {
            failures.Add($"{InferenceOptions.Section}:MaxRunRows and BatchMaxRows must be at least 1.");
        }

        if (o.MaxQueuedRows < o.MaxRunRows)
        {
            failures.Add($"{InferenceOptions.Section}:MaxQueuedRows ({o.MaxQueuedRows}) must be at least MaxRunRows ({o.MaxRunRows}).");
        }

        if (o.BatchMaxDelay < TimeSpan.Zero || o.BatchMaxDelay > TimeSpan.FromSeconds(1))
        {
            failures.Add($"{InferenceOptions.Section}:BatchMaxDelay must be between 0 and 1 s (was {o.BatchMaxDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
