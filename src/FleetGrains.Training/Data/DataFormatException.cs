namespace FleetGrains.Training.Data;

/// <summary>A data file that cannot be used, with the file and, where it applies, the line.</summary>
public sealed class DataFormatException(string message) : Exception(message);
