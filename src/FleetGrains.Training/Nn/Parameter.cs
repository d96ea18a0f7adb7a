namespace FleetGrains.Training.Nn;

/// <summary>A trainable tensor (row-major) and the gradient accumulated for it.</summary>
public sealed class Parameter
{
    public Parameter(string name, params int[] shape)
    {
        Name = name;
        Shape = shape;
        var size = shape.Aggregate(1, (a, b) => a * b);
        Value = new float[size];
        Gradient = new float[size];
    }

    public string Name { get; }

    public int[] Shape { get; }

    public float[] Value { get; }

    public float[] Gradient { get; }

    public void ZeroGradient() => Array.Clear(Gradient);
}
