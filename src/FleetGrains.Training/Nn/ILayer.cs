namespace FleetGrains.Training.Nn;

/// <summary>
/// One layer of a feed-forward network over a batch of rows (row-major, batch × size).
/// <see cref="Backward"/> adds to the parameters' gradients and writes the gradient of the input.
/// </summary>
public interface ILayer
{
    int InputSize { get; }

    int OutputSize { get; }

    IReadOnlyList<Parameter> Parameters { get; }

    void Forward(ReadOnlySpan<float> input, Span<float> output, int batch);

    void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch);
}
