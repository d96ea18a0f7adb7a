namespace FleetGrains.Abstractions;

/// <summary>
/// A model host refused a request because its queue is full (backpressure): the caller should retry
/// later or score less often; nothing was scored.
/// </summary>
[GenerateSerializer]
public sealed class ModelHostBusyException : Exception
{
    public ModelHostBusyException()
    {
    }

    public ModelHostBusyException(string message)
        : base(message)
    {
    }

    public ModelHostBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
