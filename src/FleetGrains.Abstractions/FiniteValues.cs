namespace FleetGrains.Abstractions;

public static class FiniteValues
{
    /// <summary>Why <paramref name="values"/> cannot be a reading (the first value that is NaN or infinite), or null.</summary>
    public static string? Problem(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return $"values[{i}] is {values[i]}: only finite numbers are accepted";
            }
        }

        return null;
    }
}
