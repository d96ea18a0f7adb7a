namespace FleetGrains.Silo.Security;

/// <summary>
/// Headers every answer carries: no MIME sniffing, no framing, no referrer, a content security policy that allows
/// nothing (the API serves data, not pages), and no caching of API answers (they hold fleet data).
/// </summary>
public static class SecurityHeaders
{
    // Set as the answer starts, so that answers the exception handler rewrites (it clears headers) carry them too.
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}
