namespace FleetGrains.Training.Nn;

/// <summary>Layers applied one after the other. A forward pass keeps every activation for the backward pass.</summary>
public sealed class Sequential
{
    private readonly List<float[]> _activations = [];
    private int _batch;

    public Sequential(IEnumerable<ILayer> layers)
    {
        Layers = [.. layers];
        if (Layers.Count == 0)
        {
            throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        }

        for (var i = 1; i < Layers.Count; i++)
        {
            if (Layers[i].InputSize != Layers[i - 1].OutputSize)
            {
                throw new ArgumentException($"Layer {i} takes {Layers[i].InputSize} inputs but layer {i - 1} gives {Layers[i - 1].OutputSize}.", nameof(layers));
            }
        }
    }

    public IReadOnlyList<ILayer> Layers { get; }

    public int InputSize => Layers[0].InputSize;

    public int OutputSize => Layers[^1].OutputSize;

    public IEnumerable<Parameter> Parameters => Layers.SelectMany(l => l.Parameters);

    /// <summary>The output for <paramref name="batch"/> rows of <paramref name="input"/> (batch × InputSize).</summary>
    public float[] Forward(ReadOnlySpan<float> input, int batch)
    {
        if (input.Length != batch * InputSize)
        {
            throw new ArgumentException($"Expected {batch} × {InputSize} inputs, got {input.Length}.", nameof(input));
        }

        _batch = batch;
        _activations.Clear();
        _activations.Add(input.ToArray());
        foreach (var layer in Layers)
        {
            var output = new float[batch * layer.OutputSize];
            layer.Forward(_activations[^1], output, batch);
            _activations.Add(output);
        }

        return _activations[^1];
    }

    /// <summary>Back-propagates the gradient of the loss with respect to the last forward pass's output.</summary>
    public void Backward(ReadOnlySpan<float> outputGradient)
    {
        if (_activations.Count != Layers.Count + 1)
        {
            throw new InvalidOperationException("Backward needs a forward pass first.");
        }

        var gradient = outputGradient.ToArray();
        for (var i = Layers.Count - 1; i >= 0; i--)
        {
            var inputGradient = new float[_batch * Layers[i].InputSize];
            Layers[i].Backward(_activations[i], _activations[i + 1], gradient, inputGradient, _batch);
            gradient = inputGradient;
        }
    }

    public void ZeroGradients()
    {
        foreach (var parameter in Parameters)
        {
            parameter.ZeroGradient();
        }
    }
}
