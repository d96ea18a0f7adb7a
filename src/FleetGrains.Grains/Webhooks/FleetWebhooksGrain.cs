using FleetGrains.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Webhooks;

/// <summary>
/// A fleet's webhooks. A notification is put in the outbox of every webhook that wants it and written to the grain's
/// state before anything is sent; a timer posts each outbox in order, one notification at a time, and removes it only
/// once the receiver took it, so a notification is delivered at least once (its id is the receiver's key to drop a
/// repeat). A failure pauses that webhook (growing pauses, <see cref="WebhookOptions"/>) without holding up the
/// others; after <see cref="WebhookOptions.MaxAttempts"/> a notification is given up. Producers call
/// <see cref="NotifyAsync"/> one-way, so a slow receiver never slows what raised the event. A reminder wakes the grain
/// while anything waits, so that an outbox survives the silo that held it.
/// </summary>
public sealed partial class FleetWebhooksGrain(
    [PersistentState("webhooks", FleetStorage.Name)] IPersistentState<FleetWebhooksState> state,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<FleetWebhooksGrain> logger) : Grain, IFleetWebhooksGrain, IRemindable
{
    private const string ReminderName = "webhook-outbox";
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);
    private readonly SemaphoreSlim _writing = new(1, 1); // the delivery timer interleaves with the grain's calls
    private IGrainTimer? _timer;
    private bool _delivering;

    private Dictionary<string, WebhookEndpoint> Endpoints => state.State.Endpoints;

    private bool AnythingWaits => Endpoints.Values.Any(e => e.Outbox.Count > 0);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (AnythingWaits)
        {
            StartDelivering();
        }

        return Task.CompletedTask;
    }

    public async Task<WebhookStatus> PutAsync(WebhookSubscription subscription, string secret)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (Endpoints.TryGetValue(subscription.Name, out var endpoint))
        {
            endpoint.Subscription = subscription;
            endpoint.Secret = secret;
        }
        else
        {
            if (Endpoints.Count >= options.Value.MaxPerFleet)
            {
                throw new ArgumentException($"A fleet has at most {options.Value.MaxPerFleet} webhooks (Fleet:Webhooks:MaxPerFleet); delete one first.");
            }

            endpoint = new WebhookEndpoint { Subscription = subscription, Secret = secret };
            Endpoints[subscription.Name] = endpoint;
        }

        await WriteAsync();
        return endpoint.Status;
    }

    public async Task<bool> DeleteAsync(string name)
    {
        if (!Endpoints.Remove(name))
        {
            return false;
        }

        await WriteAsync();
        return true;
    }

    public Task<IReadOnlyList<WebhookStatus>> ListAsync() =>
        Task.FromResult<IReadOnlyList<WebhookStatus>>([.. Endpoints.Values.OrderBy(e => e.Subscription.Name, StringComparer.Ordinal).Select(e => e.Status)]);

    public async Task NotifyAsync(WebhookNotification notification)
    {
        var queued = false;
        foreach (var endpoint in Endpoints.Values.Where(e => e.Wants(notification)))
        {
            if (endpoint.Outbox.Count >= options.Value.MaxPending)
            {
                endpoint.Failed++;
                endpoint.LastFailureAt = time.GetUtcNow();
                endpoint.LastError = $"{options.Value.MaxPending} notifications were waiting: {notification.Event} {notification.Id} was dropped";
                LogDropped(logger, this.GetPrimaryKeyString(), endpoint.Subscription.Name, notification.Id);
                continue;
            }

            endpoint.Outbox.Add(notification);
            queued = true;
        }

        if (queued)
        {
            await WriteAsync();
            StartDelivering();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (AnythingWaits)
        {
            StartDelivering();
        }
        else
        {
            await KeepReminderAsync(register: false);
        }
    }

    private void StartDelivering()
    {
        if (_timer is not null)
        {
            return;
        }

        // Interleaving: the API and new notifications are answered while a delivery waits for its receiver.
        _timer = this.RegisterGrainTimer(DeliverAsync, new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Tick, Interleave = true, KeepAlive = true });
        _ = KeepReminderAsync(register: true);
    }

    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        if (_delivering)
        {
            return;
        }

        _delivering = true;
        try
        {
            var changed = await Task.WhenAll(Endpoints.Values.Where(e => e.Outbox.Count > 0).ToList().Select(DeliverDueAsync));
            if (changed.Any(c => c))
            {
                await WriteAsync();
            }

            if (!AnythingWaits)
            {
                _timer?.Dispose();
                _timer = null;
                await KeepReminderAsync(register: false);
                if (AnythingWaits)
                {
                    await KeepReminderAsync(register: true); // a notification came while the reminder was being removed
                }
            }
        }
        finally
        {
            _delivering = false;
        }
    }

    /// <summary>Posts the endpoint's due notifications in order until one fails; true when anything changed.</summary>
    private async Task<bool> DeliverDueAsync(WebhookEndpoint endpoint)
    {
        var changed = false;
        while (endpoint.Outbox.Count > 0 && endpoint.NextAttemptAt <= time.GetUtcNow())
        {
            var notification = endpoint.Outbox[0];
            var error = await sender.SendAsync(endpoint.Subscription, endpoint.Secret, notification);
            var now = time.GetUtcNow();
            changed = true;
            if (error is null)
            {
                endpoint.Outbox.RemoveAt(0);
                endpoint.Delivered++;
                endpoint.LastDeliveredAt = now;
                endpoint.ConsecutiveFailures = 0;
                endpoint.Attempts = 0;
                continue;
            }

            endpoint.Attempts++;
            endpoint.ConsecutiveFailures++;
            endpoint.LastFailureAt = now;
            endpoint.LastError = error;
            endpoint.NextAttemptAt = now + Backoff(endpoint.ConsecutiveFailures);
            if (endpoint.Attempts >= options.Value.MaxAttempts)
            {
                endpoint.Outbox.RemoveAt(0);
                endpoint.Failed++;
                endpoint.Attempts = 0;
                LogGivenUp(logger, this.GetPrimaryKeyString(), endpoint.Subscription.Name, notification.Id, options.Value.MaxAttempts, error);
            }
            else
            {
                LogFailed(logger, this.GetPrimaryKeyString(), endpoint.Subscription.Name, notification.Id, endpoint.Attempts, error);
            }

            break;
        }

        return changed;
    }

    private async Task WriteAsync()
    {
        await _writing.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writing.Release();
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var o = options.Value;
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(o.RetryDelay.Ticks * factor, o.MaxRetryDelay.Ticks));
    }

    private async Task KeepReminderAsync(bool register)
    {
        try
        {
            if (register)
            {
                await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            }
            else if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReminderFailed(logger, ex, this.GetPrimaryKeyString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Fleet}/{Webhook}: delivery {Delivery} failed (attempt {Attempt}): {Error}")]
    private static partial void LogFailed(ILogger logger, string fleet, string webhook, string delivery, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {Fleet}/{Webhook}: delivery {Delivery} given up after {Attempts} attempts: {Error}")]
    private static partial void LogGivenUp(ILogger logger, string fleet, string webhook, string delivery, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Fleet}/{Webhook}: its outbox is full; notification {Delivery} dropped")]
    private static partial void LogDropped(ILogger logger, string fleet, string webhook, string delivery);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhooks of {Fleet}: the outbox reminder could not be kept; waiting notifications are still sent while the grain is active")]
    private static partial void LogReminderFailed(ILogger logger, Exception exception, string fleet);
}
