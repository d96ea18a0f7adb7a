namespace FleetGrains.Silo.Tests;

/// <summary>One silo host shared by the API tests: fast reporting, small calibration, one fixed-width fleet.</summary>
public sealed class SiloHostFixture : IAsyncLifetime
{
    public const string FixedFleet = "fixed3";

    public SiloHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await SiloHost.StartAsync(new Dictionary<string, string?>(SiloHost.FastRollup)
        {
            [$"Fleet:Devices:Fleets:{FixedFleet}:FeatureCount"] = "3",
            ["Fleet:Ingestion:MaxBodyBytes"] = "65536",
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SiloHostCollection : ICollectionFixture<SiloHostFixture>
{
    public const string Name = "silo-host";
}
