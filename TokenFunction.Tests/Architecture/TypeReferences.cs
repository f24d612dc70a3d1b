using System.Reflection;
using System.Reflection.Emit;

namespace TokenFunction.Tests.Architecture;

/// <summary>
/// Which types a type uses: its base type and interfaces, the signatures of its members, its attributes, and every
/// type, method and field its method bodies name (read from the IL, so a call inside a lambda or an async method counts).
/// Constants are inlined by the compiler and leave no trace; everything else does.
/// </summary>
public static class TypeReferences
{
    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>The types <paramref name="type"/> and its nested types use, each with where it was seen.</summary>
    public static IEnumerable<(Type Used, string Where)> Of(Type type)
    {
        var found = new List<(Type, string)>();
        void Add(Type? used, string where)
        {
            foreach (var t in Expand(used))
            {
                found.Add((t, where));
            }
        }

        Add(type.BaseType, type.Name + " (base type)");
        foreach (var implemented in type.GetInterfaces())
        {
            Add(implemented, type.Name + " (interface)");
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            Add(attribute.AttributeType, type.Name + " (attribute)");
        }

        foreach (var field in type.GetFields(Everything))
        {
            Add(field.FieldType, $"{type.Name}.{field.Name}");
        }

        foreach (var property in type.GetProperties(Everything))
        {
            Add(property.PropertyType, $"{type.Name}.{property.Name}");
        }

        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            var where = $"{type.Name}.{method.Name}";
            if (method is MethodInfo info)
            {
                Add(info.ReturnType, where);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType, where);
            }

            foreach (var used in InBody(method))
            {
                Add(used, where);
            }
        }

        foreach (var nested in type.GetNestedTypes(Everything))
        {
            found.AddRange(Of(nested));
        }

        return found;
    }

    /// <summary>The types an IL body names: call and newobj targets, fields, type tokens.</summary>
    private static List<Type> InBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return [];
        }

        var types = new List<Type>();
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var code = il[at] == 0xFE ? s_opCodes[(short)(0xFE00 | il[at + 1])] : s_opCodes[il[at]];
            at += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    try
                    {
                        switch (method.Module.ResolveMember(token, typeArguments, methodArguments))
                        {
                            case Type t:
                                types.Add(t);
                                break;
                            case MethodBase m:
                                types.Add(m.DeclaringType!);
                                types.AddRange(m.GetParameters().Select(p => p.ParameterType));
                                if (m is MethodInfo { IsGenericMethod: true } generic)
                                {
                                    types.AddRange(generic.GetGenericArguments());
                                }

                                break;
                            case FieldInfo f:
                                types.Add(f.DeclaringType!);
                                types.Add(f.FieldType);
                                break;
                        }
                    }
                    catch (ArgumentException)
                    {
                        // A token in a generic context we could not resolve: nothing of ours hides there.
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    at += 4;
                    break;
            }
        }

        return types;
    }

    /// <summary>A type with its element type and generic arguments.</summary>
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var element in Expand(type.GetElementType()))
            {
                yield return element;
            }

            yield break;
        }

        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return argument;
            }
        }
    }
}
