using System.Text.Json;
using Microsoft.OpenApi;

namespace TokenFunction.Tests.Contract;

/// <summary>Checks a JSON value against an OpenAPI schema: types, required members, properties and items.</summary>
public static class SchemaValidator
{
    public static IReadOnlyList<string> Validate(IOpenApiSchema schema, JsonElement value)
    {
        var errors = new List<string>();
        Validate(schema, value, "$", errors);
        return errors;
    }

    private static void Validate(IOpenApiSchema schema, JsonElement value, string path, List<string> errors)
    {
        var type = schema.Type;
        if (type is null)
        {
            return;
        }

        var matches = value.ValueKind switch
        {
            JsonValueKind.Object => type.Value.HasFlag(JsonSchemaType.Object),
            JsonValueKind.Array => type.Value.HasFlag(JsonSchemaType.Array),
            JsonValueKind.String => type.Value.HasFlag(JsonSchemaType.String),
            JsonValueKind.Number => type.Value.HasFlag(JsonSchemaType.Number) || (type.Value.HasFlag(JsonSchemaType.Integer) && value.TryGetInt64(out _)),
            JsonValueKind.True or JsonValueKind.False => type.Value.HasFlag(JsonSchemaType.Boolean),
            JsonValueKind.Null => type.Value.HasFlag(JsonSchemaType.Null),
            _ => false,
        };
        if (!matches)
        {
            errors.Add($"{path}: {value.ValueKind} where the schema says {type}");
            return;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var required in schema.Required ?? new HashSet<string>())
            {
                if (!value.TryGetProperty(required, out _))
                {
                    errors.Add($"{path}: required member '{required}' is missing");
                }
            }

            foreach (var member in value.EnumerateObject())
            {
                if (schema.Properties is { } properties && properties.TryGetValue(member.Name, out var memberSchema))
                {
                    Validate(memberSchema, member.Value, $"{path}.{member.Name}", errors);
                }
                else
                {
                    errors.Add($"{path}: member '{member.Name}' is not in the schema");
                }
            }
        }
        else if (value.ValueKind == JsonValueKind.Array && schema.Items is { } items)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Validate(items, item, $"{path}[{index++}]", errors);
            }
        }
    }
}
