namespace FleetGrains.Inference.Onnx;

/// <summary>The execution provider asked for and the one sessions use; a reason when they differ.</summary>
public sealed record ProviderStatus(ExecutionProvider Requested, ExecutionProvider Active, string? FallbackReason)
{
    public bool FellBack => Requested != Active;
}
