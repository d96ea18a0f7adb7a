using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// A local HTTP receiver of webhooks (Kestrel on loopback): <c>POST /hook/{name}</c> is recorded with its headers and
/// body. A hook can be told to fail its next requests (500) or every request (503).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _failNext = new();
    private readonly ConcurrentDictionary<string, bool> _down = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Delivery> Received { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook/{name}", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return receiver;
    }

    public Uri Hook(string name) => new(BaseAddress, $"/hook/{name}");

    public void FailNext(string name, int requests) => _failNext[name] = requests;

    public void SetDown(string name, bool down) => _down[name] = down;

    public IReadOnlyList<Delivery> To(string name) => [.. Received.Where(d => d.Hook == name)];

    public async Task<IReadOnlyList<Delivery>> EventuallyAsync(string name, Func<IReadOnlyList<Delivery>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var deliveries = To(name);
            if (condition(deliveries))
            {
                return deliveries;
            }

            Assert.True(DateTime.UtcNow < deadline, $"hook {name} received {deliveries.Count} deliveries: {string.Join(", ", deliveries.Select(d => $"{d.Event} {d.Status}"))}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> ReceiveAsync(string name, HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var status = _down.GetValueOrDefault(name) ? 503
            : _failNext.AddOrUpdate(name, -1, (_, left) => left - 1) >= 0 ? 500 // FailNext(n): the next n requests fail
            : 200;
        Received.Enqueue(new Delivery(name, status, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
        return Results.StatusCode(status);
    }

    public sealed record Delivery(string Hook, int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public string Event => Headers.GetValueOrDefault("X-FleetGrains-Event", "");

        public string Id => Headers.GetValueOrDefault("X-FleetGrains-Delivery", "");
    }
}
