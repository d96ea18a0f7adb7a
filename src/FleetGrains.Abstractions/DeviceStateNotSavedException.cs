namespace FleetGrains.Abstractions;

/// <summary>
/// A device applied samples but could not write its state, so it does not acknowledge them: the sender
/// sends them again (the device ignores what it already applied and writes again).
/// </summary>
[GenerateSerializer]
public sealed class DeviceStateNotSavedException : Exception
{
    public DeviceStateNotSavedException()
    {
    }

    public DeviceStateNotSavedException(string message)
        : base(message)
    {
    }

    public DeviceStateNotSavedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
