using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.Sources;

/// <summary>The one connection to the sources' Redis, made on first use; it reconnects by itself after Redis restarts.</summary>
public sealed class SourceRedis(IOptions<SourcesOptions> options, IOptions<RedisSecurityOptions> security) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _connection;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.Redis);

    public async Task<IDatabase> DatabaseAsync()
    {
        if (_connection is { } connection)
        {
            return connection.GetDatabase();
        }

        if (!IsConfigured)
        {
            throw new InvalidOperationException($"No Redis is configured for the sources ({SourcesOptions.Section}:Redis or Fleet:Cluster:Redis).");
        }

        await _connecting.WaitAsync();
        try
        {
            if (_connection is null)
            {
                _connection = await ConnectionMultiplexer.ConnectAsync(security.Value.For(options.Value.Redis!));
            }

            return _connection.GetDatabase();
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connecting.Dispose();
    }
}
