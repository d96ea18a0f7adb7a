namespace FleetGrains.Silo.Api;

/// <summary>Body of an acknowledgement or clearing of an alarm: <c>{"comment": "…"}</c> (the comment may be left out).</summary>
public sealed record AlarmRequest(string? Comment);
