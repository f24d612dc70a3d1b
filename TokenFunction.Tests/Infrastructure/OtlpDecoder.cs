using System.Globalization;
using Google.Protobuf;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>A span as exported: ids in hex, attributes by key.</summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>One data point of a metric (a sum's value, a histogram's count).</summary>
public sealed record OtlpMetricPoint(string Name, string Unit, string Scope, double Value, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>A log record: the logger's category is its scope.</summary>
public sealed record OtlpLogRecord(string Scope, string EventName, string? Body, IReadOnlyDictionary<string, object?> Attributes, string ResourceServiceName);

/// <summary>
/// Reads OTLP protobuf (opentelemetry-proto's collector/trace, metrics and logs v1 messages) with Google.Protobuf's wire
/// reader: only the fields the tests look at, by their numbers in the .proto files; unknown fields are skipped, as any
/// protobuf reader does.
/// </summary>
public static class OtlpDecoder
{
    public static IEnumerable<OtlpSpan> Spans(byte[] request)
    {
        // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans.scope_spans = 2; ScopeSpans.scope = 1, spans = 2.
        foreach (var resourceSpans in Messages(request, 1))
        {
            foreach (var scopeSpans in Messages(resourceSpans, 2))
            {
                var scope = ScopeName(scopeSpans);
                foreach (var span in Messages(scopeSpans, 2))
                {
                    var fields = Fields(span);
                    yield return new OtlpSpan(
                        Hex(fields, 1), Hex(fields, 2), Hex(fields, 4), Text(fields, 5), (int)Scalar(fields, 6), scope, Attributes(fields, 9));
                }
            }
        }
    }

    public static IEnumerable<OtlpMetricPoint> MetricPoints(byte[] request)
    {
        // ExportMetricsServiceRequest.resource_metrics = 1; ResourceMetrics.scope_metrics = 2; ScopeMetrics.metrics = 2.
        foreach (var resourceMetrics in Messages(request, 1))
        {
            foreach (var scopeMetrics in Messages(resourceMetrics, 2))
            {
                var scope = ScopeName(scopeMetrics);
                foreach (var metric in Messages(scopeMetrics, 2))
                {
                    var fields = Fields(metric);
                    var name = Text(fields, 1);
                    var unit = Text(fields, 3);

                    // Metric.sum = 7 (NumberDataPoint: attributes = 7, as_double = 4, as_int = 6).
                    foreach (var sum in Nested(fields, 7))
                    {
                        foreach (var point in Messages(sum, 1))
                        {
                            var p = Fields(point);
                            var value = p.Any(f => f.Number == 4) ? BitConverter.Int64BitsToDouble((long)Scalar(p, 4)) : (long)Scalar(p, 6);
                            yield return new OtlpMetricPoint(name, unit, scope, value, Attributes(p, 7));
                        }
                    }

                    // Metric.histogram = 9 (HistogramDataPoint: attributes = 9, count = 4).
                    foreach (var histogram in Nested(fields, 9))
                    {
                        foreach (var point in Messages(histogram, 1))
                        {
                            var p = Fields(point);
                            yield return new OtlpMetricPoint(name, unit, scope, Scalar(p, 4), Attributes(p, 9));
                        }
                    }
                }
            }
        }
    }

    public static IEnumerable<OtlpLogRecord> LogRecords(byte[] request)
    {
        // ExportLogsServiceRequest.resource_logs = 1; ResourceLogs.resource = 1, scope_logs = 2; ScopeLogs.log_records = 2.
        foreach (var resourceLogs in Messages(request, 1))
        {
            var resource = Nested(Fields(resourceLogs), 1).Select(r => Attributes(Fields(r), 1)).FirstOrDefault() ?? new Dictionary<string, object?>();
            var service = resource.TryGetValue("service.name", out var s) ? s as string ?? string.Empty : string.Empty;
            foreach (var scopeLogs in Messages(resourceLogs, 2))
            {
                var scope = ScopeName(scopeLogs);
                foreach (var record in Messages(scopeLogs, 2))
                {
                    // LogRecord: body = 5 (AnyValue), attributes = 6, event_name = 12.
                    var fields = Fields(record);
                    var body = Nested(fields, 5).Select(AnyValue).FirstOrDefault() as string;
                    yield return new OtlpLogRecord(scope, Text(fields, 12), body, Attributes(fields, 6), service);
                }
            }
        }
    }

    private sealed record Field(int Number, ulong Scalar, ByteString? Bytes);

    private static List<Field> Fields(ByteString message) => Fields(message.ToByteArray());

    private static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint:
                    fields.Add(new Field(number, input.ReadUInt64(), null));
                    break;
                case WireFormat.WireType.Fixed64:
                    fields.Add(new Field(number, input.ReadFixed64(), null));
                    break;
                case WireFormat.WireType.Fixed32:
                    fields.Add(new Field(number, input.ReadFixed32(), null));
                    break;
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new Field(number, 0, input.ReadBytes()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return fields;
    }

    private static IEnumerable<ByteString> Messages(byte[] message, int number) => Nested(Fields(message), number);

    private static IEnumerable<ByteString> Messages(ByteString message, int number) => Nested(Fields(message), number);

    private static IEnumerable<ByteString> Nested(List<Field> fields, int number) =>
        fields.Where(f => f.Number == number && f.Bytes is not null).Select(f => f.Bytes!);

    private static string Text(List<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number)?.Bytes?.ToStringUtf8() ?? string.Empty;

    private static ulong Scalar(List<Field> fields, int number) => fields.FirstOrDefault(f => f.Number == number)?.Scalar ?? 0;

    private static string Hex(List<Field> fields, int number) =>
        Convert.ToHexStringLower(fields.FirstOrDefault(f => f.Number == number)?.Bytes?.ToByteArray() ?? []);

    /// <summary>InstrumentationScope.name = 1, in the scope field (1) of a Scope* message.</summary>
    private static string ScopeName(ByteString scoped) =>
        Nested(Fields(scoped), 1).Select(scope => Text(Fields(scope), 1)).FirstOrDefault() ?? string.Empty;

    /// <summary>KeyValue: key = 1, value = 2 (AnyValue).</summary>
    private static Dictionary<string, object?> Attributes(List<Field> fields, int number)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var keyValue in Nested(fields, number))
        {
            var kv = Fields(keyValue);
            attributes[Text(kv, 1)] = Nested(kv, 2).Select(AnyValue).FirstOrDefault();
        }

        return attributes;
    }

    /// <summary>AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4 (arrays and maps as text).</summary>
    private static object? AnyValue(ByteString value)
    {
        var field = Fields(value).FirstOrDefault();
        return field?.Number switch
        {
            1 => field.Bytes!.ToStringUtf8(),
            2 => field.Scalar != 0,
            3 => (long)field.Scalar,
            4 => BitConverter.Int64BitsToDouble((long)field.Scalar),
            null => null,
            _ => field.Bytes?.ToBase64() ?? field.Scalar.ToString(CultureInfo.InvariantCulture),
        };
    }
}
