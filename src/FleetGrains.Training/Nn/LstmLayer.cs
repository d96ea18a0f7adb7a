using System.Numerics.Tensors;

namespace FleetGrains.Training.Nn;

/// <summary>
/// A long short-term memory layer over a window: input rows are [steps, features] (time-major: the features of step 0,
/// then of step 1, …), read from the first step to the last with zero initial state. The output is the hidden state
/// after the last step [hidden], or with <c>returnSequences</c> after every step [steps, hidden].
/// </summary>
/// <remarks>
/// Exactly ONNX <c>LSTM</c> (forward, no peepholes, default activations σ / tanh / tanh): gates in ONNX's order
/// i, o, f, c; <see cref="Weight"/> is ONNX's W [4·hidden, features], <see cref="Recurrence"/> its R [4·hidden, hidden],
/// <see cref="Bias"/> its Wb (Rb zero):
/// i = σ(W_i x + R_i h + b_i), o = σ(…), f = σ(…), g = tanh(…), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
/// The forward pass keeps every step's gates and states for the backward pass (backpropagation through time), which
/// must follow it for the same batch.
/// </remarks>
public sealed class LstmLayer : ILayer
{
    private readonly Parameter _weight;
    private readonly Parameter _recurrence;
    private readonly Parameter _bias;

    // The last forward pass, per batch row and step: the four gates (i, o, f, g), the cell state and the hidden state.
    private float[] _gates = [];
    private float[] _cells = [];
    private float[] _hidden = [];
    private int _batch = -1;

    public LstmLayer(int steps, int features, int hidden, Random random, string name = "lstm", bool returnSequences = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        Steps = steps;
        Features = features;
        Hidden = hidden;
        ReturnSequences = returnSequences;
        _weight = new Parameter($"{name}.weight", 4 * hidden, features);
        _recurrence = new Parameter($"{name}.recurrence", 4 * hidden, hidden);
        _bias = new Parameter($"{name}.bias", 4 * hidden);
        Fill(_weight.Value, (float)Math.Sqrt(6.0 / (features + hidden)), random);
        Fill(_recurrence.Value, (float)Math.Sqrt(6.0 / (2 * hidden)), random);

        // The forget gate starts open (bias 1): early in training the cell keeps what it holds.
        _bias.Value.AsSpan(2 * hidden, hidden).Fill(1f);
        Parameters = [_weight, _recurrence, _bias];
    }

    public int Steps { get; }

    public int Features { get; }

    public int Hidden { get; }

    public bool ReturnSequences { get; }

    public int InputSize => Steps * Features;

    public int OutputSize => ReturnSequences ? Steps * Hidden : Hidden;

    /// <summary>ONNX W: [4·hidden, features], gates i, o, f, c.</summary>
    public Parameter Weight => _weight;

    /// <summary>ONNX R: [4·hidden, hidden], gates i, o, f, c.</summary>
    public Parameter Recurrence => _recurrence;

    /// <summary>ONNX Wb: [4·hidden], gates i, o, f, c.</summary>
    public Parameter Bias => _bias;

    public IReadOnlyList<Parameter> Parameters { get; }

    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        var h = Hidden;
        EnsureCaches(batch);
        var zeros = new float[h];
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < Steps; t++)
            {
                var x = input.Slice((b * InputSize) + (t * Features), Features);
                ReadOnlySpan<float> hPrev = t == 0 ? zeros : HiddenAt(b, t - 1);
                ReadOnlySpan<float> cPrev = t == 0 ? zeros : CellAt(b, t - 1);
                var gates = GatesAt(b, t);
                for (var r = 0; r < 4 * h; r++)
                {
                    gates[r] = _bias.Value[r]
                        + TensorPrimitives.Dot(_weight.Value.AsSpan(r * Features, Features), x)
                        + TensorPrimitives.Dot(_recurrence.Value.AsSpan(r * h, h), hPrev);
                }

                TensorPrimitives.Sigmoid(gates[..(3 * h)], gates[..(3 * h)]); // i, o, f
                TensorPrimitives.Tanh(gates[(3 * h)..], gates[(3 * h)..]);     // g
                var i = gates[..h];
                var o = gates[h..(2 * h)];
                var f = gates[(2 * h)..(3 * h)];
                var g = gates[(3 * h)..];
                var c = CellAt(b, t);
                var hNew = HiddenAt(b, t);
                for (var k = 0; k < h; k++)
                {
                    c[k] = (f[k] * cPrev[k]) + (i[k] * g[k]);
                    hNew[k] = o[k] * MathF.Tanh(c[k]);
                }
            }

            if (ReturnSequences)
            {
                _hidden.AsSpan(b * Steps * h, Steps * h).CopyTo(output.Slice(b * OutputSize, OutputSize));
            }
            else
            {
                HiddenAt(b, Steps - 1).CopyTo(output.Slice(b * OutputSize, OutputSize));
            }
        }
    }

    public void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        if (batch != _batch)
        {
            throw new InvalidOperationException("The backward pass needs the forward pass of the same batch just before it.");
        }

        var h = Hidden;
        inputGradient.Clear();
        var dh = new float[h];
        var dc = new float[h];
        var dz = new float[4 * h];
        var zeros = new float[h];
        for (var b = 0; b < batch; b++)
        {
            Array.Clear(dh);
            Array.Clear(dc);
            var dy = outputGradient.Slice(b * OutputSize, OutputSize);
            for (var t = Steps - 1; t >= 0; t--)
            {
                // What reaches h_t: from the output (every step, or only the last) and from step t + 1 (already in dh).
                if (ReturnSequences)
                {
                    TensorPrimitives.Add(dh, dy.Slice(t * h, h), dh);
                }
                else if (t == Steps - 1)
                {
                    TensorPrimitives.Add(dh, dy, dh);
                }

                var gates = GatesAt(b, t);
                var i = gates[..h];
                var o = gates[h..(2 * h)];
                var f = gates[(2 * h)..(3 * h)];
                var g = gates[(3 * h)..];
                ReadOnlySpan<float> c = CellAt(b, t);
                ReadOnlySpan<float> cPrev = t == 0 ? zeros : CellAt(b, t - 1);
                ReadOnlySpan<float> hPrev = t == 0 ? zeros : HiddenAt(b, t - 1);
                for (var k = 0; k < h; k++)
                {
                    var tanhC = MathF.Tanh(c[k]);
                    var dcK = dc[k] + (dh[k] * o[k] * (1 - (tanhC * tanhC)));
                    dz[k] = dcK * g[k] * i[k] * (1 - i[k]);                    // input gate
                    dz[h + k] = dh[k] * tanhC * o[k] * (1 - o[k]);             // output gate
                    dz[(2 * h) + k] = dcK * cPrev[k] * f[k] * (1 - f[k]);      // forget gate
                    dz[(3 * h) + k] = dcK * i[k] * (1 - (g[k] * g[k]));        // cell candidate
                    dc[k] = dcK * f[k];                                        // to c_{t−1}
                }

                var x = input.Slice((b * InputSize) + (t * Features), Features);
                var dx = inputGradient.Slice((b * InputSize) + (t * Features), Features);
                Array.Clear(dh);
                for (var r = 0; r < 4 * h; r++)
                {
                    var d = dz[r];
                    _bias.Gradient[r] += d;
                    var dW = _weight.Gradient.AsSpan(r * Features, Features);
                    TensorPrimitives.MultiplyAdd(x, d, dW, dW);
                    TensorPrimitives.MultiplyAdd(_weight.Value.AsSpan(r * Features, Features), d, dx, dx);
                    var dR = _recurrence.Gradient.AsSpan(r * h, h);
                    TensorPrimitives.MultiplyAdd(hPrev, d, dR, dR);
                    TensorPrimitives.MultiplyAdd(_recurrence.Value.AsSpan(r * h, h), d, dh, dh); // to h_{t−1}
                }
            }
        }
    }

    private static void Fill(float[] values, float limit, Random random)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(((2 * random.NextDouble()) - 1) * limit);
        }
    }

    private void EnsureCaches(int batch)
    {
        var states = batch * Steps * Hidden;
        if (_cells.Length < states)
        {
            _gates = new float[4 * states];
            _cells = new float[states];
            _hidden = new float[states];
        }

        _batch = batch;
    }

    private Span<float> GatesAt(int b, int t) => _gates.AsSpan(((b * Steps) + t) * 4 * Hidden, 4 * Hidden);

    private Span<float> CellAt(int b, int t) => _cells.AsSpan(((b * Steps) + t) * Hidden, Hidden);

    private Span<float> HiddenAt(int b, int t) => _hidden.AsSpan(((b * Steps) + t) * Hidden, Hidden);
}
