namespace FleetGrains.Silo.Tests;

/// <summary>
/// One silo host shared by the API tests: fast reporting, small calibration, one fixed-width fleet, and rate limits
/// out of the way (the test classes of this collection together send more than 500 requests in some seconds; the
/// limits have their own tests, <c>RateLimitTests</c>).
/// </summary>
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
            ["Fleet:Security:RateLimits:ApiPerWindow"] = "1000000",
            ["Fleet:Security:RateLimits:IngestPerWindow"] = "1000000",
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SiloHostCollection : ICollectionFixture<SiloHostFixture>
{
    public const string Name = "silo-host";
}
