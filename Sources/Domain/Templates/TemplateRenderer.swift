/// Fills `{{placeholders}}` with values. Pure: values are inserted as they are and never scanned again.
public enum TemplateRenderer {
    /// `text` with each `{{name}}` replaced by `values[name]`; a placeholder without a value is refused.
    public static func render(_ text: String, values: [String: String]) throws(DomainError) -> String {
        var output = ""
        for part in try TemplateText.parse(text).parts {
            switch part {
            case .literal(let literal):
                output += literal
            case .placeholder(let name):
                guard let value = values[name] else {
                    throw DomainError(
                        .invalid, "no value for placeholder {{\(name)}}; provide \(name) when rendering the template")
                }
                output += value
            }
        }
        return output
    }

    /// The placeholder names `text` uses, in order of appearance (with repeats).
    public static func placeholders(in text: String) throws(DomainError) -> [String] {
        try TemplateText.parse(text).placeholders
    }
}
