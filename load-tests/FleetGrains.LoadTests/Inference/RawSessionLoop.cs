using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace FleetGrains.LoadTests.Inference;

/// <summary>
/// The baseline of the inference scenario: one ONNX Runtime session (created with the silo's own session
/// options and execution provider) run in a tight loop on one thread, with input and output tensors
/// allocated once. Nothing of FleetGrains is between the caller and the run.
/// </summary>
public sealed class RawSessionLoop(InferenceSession session, int rowWidth) : IDisposable
{
    /// <summary>Rows per second over runs of <paramref name="rows"/> rows each, for at least <paramref name="duration"/>.</summary>
    public double RowsPerSecond(int rows, TimeSpan duration, float[] row)
    {
        var input = new float[rows * rowWidth];
        for (var r = 0; r < rows; r++)
        {
            row.CopyTo(input, r * rowWidth);
        }

        var outputNames = session.OutputNames.ToArray();
        var outputBuffers = outputNames.Select(name => Shape(session.OutputMetadata[name].Dimensions, rows)).Select(shape => (Shape: shape, Data: new float[shape.Aggregate(1L, (a, d) => a * d)])).ToList();
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(), [rows, rowWidth]);
        var outputValues = outputBuffers.Select(b => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, b.Data.AsMemory(), b.Shape)).ToArray();
        try
        {
            var inputNames = new[] { session.InputNames[0] };
            session.Run(null, inputNames, [inputValue], outputNames, outputValues); // warm-up
            var runs = 0L;
            var started = Stopwatch.GetTimestamp();
            TimeSpan elapsed;
            do
            {
                session.Run(null, inputNames, [inputValue], outputNames, outputValues);
                runs++;
                elapsed = Stopwatch.GetElapsedTime(started);
            }
            while (elapsed < duration);

            return runs * rows / elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var value in outputValues)
            {
                value.Dispose();
            }
        }
    }

    public void Dispose() => session.Dispose();

    // The model's declared output shape with the batch dimension (the symbolic one) set to rows.
    private static long[] Shape(int[] dimensions, int rows) => [.. dimensions.Select(d => d < 0 ? rows : (long)d)];
}
