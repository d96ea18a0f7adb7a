namespace FleetGrains.Training.Nn;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias correction; one step per mini-batch. A non-zero
/// <paramref name="weightDecay"/> shrinks weights directly (AdamW, Loshchilov and Hutter, 2019).
/// </summary>
public sealed class Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float weightDecay = 0f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
{
    private readonly List<(Parameter Parameter, float[] M, float[] V)> _state =
        [.. parameters.Select(p => (p, new float[p.Value.Length], new float[p.Value.Length]))];

    private int _step;

    public float LearningRate { get; set; } = learningRate;

    /// <summary>Applies the accumulated gradients and clears them.</summary>
    public void Step()
    {
        _step++;
        var correction1 = 1 - Math.Pow(beta1, _step);
        var correction2 = 1 - Math.Pow(beta2, _step);
        foreach (var (parameter, m, v) in _state)
        {
            var w = parameter.Value;
            var g = parameter.Gradient;
            for (var i = 0; i < w.Length; i++)
            {
                m[i] = (beta1 * m[i]) + ((1 - beta1) * g[i]);
                v[i] = (beta2 * v[i]) + ((1 - beta2) * g[i] * g[i]);
                var mHat = m[i] / correction1;
                var vHat = v[i] / correction2;
                w[i] -= (float)(LearningRate * ((mHat / (Math.Sqrt(vHat) + epsilon)) + (weightDecay * w[i])));
            }

            parameter.ZeroGradient();
        }
    }
}
