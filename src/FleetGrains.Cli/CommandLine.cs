namespace FleetGrains.Cli;

/// <summary>A command, its positional arguments, <c>--name value</c> options and <c>--flag</c> flags.</summary>
public sealed class CommandLine
{
    private static readonly HashSet<string> Flags = ["json", "synthetic-tail"];
    private static readonly HashSet<string> Options = ["url", "state", "sort", "offset", "limit", "data", "machines", "epochs", "subset", "out", "columns", "delimiter", "train-rows", "train-fraction", "label", "window", "simulated", "runs", "through", "fleet", "device", "model", "models", "source", "count", "key", "name", "grants", "expires", "seeds", "also-train"];

    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public string? Command { get; private set; }

    public List<string> Arguments { get; } = [];

    public static CommandLine Parse(string[] args)
    {
        var line = new CommandLine();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                line.Command = "help";
                return line;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var name = arg[2..];
                if (Flags.Contains(name))
                {
                    line._flags.Add(name);
                }
                else if (Options.Contains(name))
                {
                    if (i + 1 >= args.Length)
                    {
                        throw new ArgumentException($"--{name} needs a value.");
                    }

                    line._options[name] = args[++i];
                }
                else
                {
                    throw new ArgumentException($"unknown option '{arg}'.");
                }
            }
            else if (line.Command is null)
            {
                line.Command = arg;
            }
            else
            {
                line.Arguments.Add(arg);
            }
        }

        return line;
    }

    public string? Option(string name) => _options.GetValueOrDefault(name);

    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>The option as a positive whole number, or null when it is absent.</summary>
    public int? PositiveInt(string name)
    {
        if (Option(name) is not { } text)
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1
            ? n
            : throw new ArgumentException($"--{name} must be a positive whole number, got '{text}'.");
    }

    public void ExpectArguments(int count, string usage)
    {
        if (Arguments.Count != count)
        {
            throw new ArgumentException($"usage: fleetctl {usage}");
        }
    }
}
