using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using FleetGrains.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Webhooks;

/// <summary>
/// Posts one notification to one webhook: a JSON body (<c>id, event, fleetId, deviceId, severity, at, data</c>), its
/// id, event and a signature (<see cref="WebhookSignature"/>) in headers. Answers null when the receiver took it (any
/// 2xx), else why not. One HTTP client for the silo (pooled connections, renewed for DNS changes).
/// </summary>
public sealed class WebhookSender(IOptions<WebhookOptions> options, TimeProvider time) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each send has its own deadline
    };

    public async Task<string?> SendAsync(WebhookSubscription subscription, string secret, WebhookNotification notification)
    {
        var body = Body(notification);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.DeliveryHeader, notification.Id);
        request.Headers.Add(WebhookSignature.EventHeader, notification.Event.ToString());
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        using var deadline = new CancellationTokenSource(options.Value.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return $"no answer within {options.Value.Timeout.TotalSeconds:0.#} s";
        }
        catch (HttpRequestException ex)
        {
            return ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
        }
    }

    public void Dispose() => _http.Dispose();

    public static byte[] Body(WebhookNotification notification)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + notification.Data.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", notification.Id);
            json.WriteString("event", notification.Event.ToString());
            json.WriteString("fleetId", notification.FleetId);
            if (notification.DeviceId is null)
            {
                json.WriteNull("deviceId");
            }
            else
            {
                json.WriteString("deviceId", notification.DeviceId);
            }

            if (notification.Severity is { } severity)
            {
                json.WriteString("severity", severity.ToString());
            }
            else
            {
                json.WriteNull("severity");
            }

            json.WriteString("at", notification.At);
            json.WritePropertyName("data");
            json.WriteRawValue(notification.Data);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
