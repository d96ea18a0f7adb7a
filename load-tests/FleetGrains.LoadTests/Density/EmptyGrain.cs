namespace FleetGrains.LoadTests.Density;

/// <summary>A grain with nothing in it: what one activation costs Orleans itself.</summary>
[Alias("FleetGrains.LoadTests.IEmptyGrain")]
public interface IEmptyGrain : IGrainWithStringKey
{
    [Alias("Touch")]
    Task TouchAsync();
}

public sealed class EmptyGrain : Grain, IEmptyGrain
{
    public Task TouchAsync() => Task.CompletedTask;
}
