using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace FleetGrains.Silo.Security;

/// <summary>
/// The embedded default's two-command start: when no admin key is configured, the one made for this run is printed
/// once, on the console (never through the logs), with how to use it.
/// </summary>
public sealed class AdminKeyAnnouncement(AdminKey admin, IServiceProvider services, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (admin.Generated is { } key)
        {
            // A host without an HTTP server (the load tests' in-process silos) has no address to show.
            lifetime.ApplicationStarted.Register(() => Console.Out.WriteLine(
                Message(key, services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault())));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Message(string key, string? address) => $"""

        FleetGrains: every API call needs a key. This run's admin key (it lives only as long as this process;
        set {SecurityOptions.Section}:AdminKey to keep one):

            export FLEET_KEY={key}
            curl -H "{ApiKeyAuthenticationHandler.Header}: $FLEET_KEY" {address ?? "http://localhost:5080"}/api/fleets
            fleetctl --key "$FLEET_KEY" fleets      (or FLEETCTL_KEY=$FLEET_KEY)

        """;
}
