//! Just enough HTML for reading cmark-gfm's output: a tree of elements and decoded text.
//! cmark-gfm writes well-formed HTML; raw HTML passed through from the Markdown may not be
//! (that is what the tests look for), so unknown end tags are ignored and open elements are
//! closed at the end rather than rejected.

/// An element or a run of text (entities decoded).
#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone)]
pub struct Element {
    pub name: String,
    pub children: Vec<Node>,
}

/// Elements that have no end tag.
const VOID: [&str; 5] = ["br", "hr", "img", "input", "meta"];

/// Parses `html` into a root element named `#root`.
pub fn parse(html: &str) -> Element {
    let mut stack = vec![Element {
        name: "#root".to_string(),
        children: Vec::new(),
    }];
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map_or(after.len(), |i| i + 3);
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').unwrap_or(after.len());
            let name = after[..end].trim().to_ascii_lowercase();
            rest = after.get(end + 1..).unwrap_or("");
            if let Some(open) = stack.iter().rposition(|e| e.name == name)
                && open > 0
            {
                while stack.len() > open {
                    close(&mut stack);
                }
            }
        } else if rest.starts_with('<') && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic())
        {
            let end = rest.find('>').unwrap_or(rest.len());
            let tag = rest[1..end].trim_end_matches('/');
            let split = tag.find([' ', '\n', '\t']).unwrap_or(tag.len());
            let element = Element {
                name: tag[..split].to_ascii_lowercase(),
                children: Vec::new(),
            };
            rest = rest.get(end + 1..).unwrap_or("");
            if VOID.contains(&element.name.as_str()) {
                push(&mut stack, Node::Element(element));
            } else {
                stack.push(element);
            }
        } else {
            // Text runs to the next `<`; a `<` that opens no tag is text too.
            let skip = usize::from(rest.starts_with('<'));
            let end = rest[skip..].find('<').map_or(rest.len(), |i| i + skip);
            push(&mut stack, Node::Text(decode(&rest[..end])));
            rest = &rest[end..];
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().unwrap()
}

fn push(stack: &mut [Element], node: Node) {
    stack.last_mut().unwrap().children.push(node);
}

fn close(stack: &mut Vec<Element>) {
    let done = stack.pop().unwrap();
    push(stack, Node::Element(done));
}

/// Decodes the entities cmark-gfm writes (`&lt; &gt; &amp; &quot;` and numeric ones).
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| match &rest[1..e] {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16).ok()?.try_into().ok(),
            n if n.starts_with('#') => n[1..].parse::<u32>().ok()?.try_into().ok(),
            _ => None,
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Element {
    /// The text of the element and its descendants, as a reader sees it (`<br>` as a newline).
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        if self.name == "br" {
            out.push('\n');
        }
        for child in &self.children {
            match child {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.collect_text(out),
            }
        }
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Every element below this one named `name`, in document order, with its parent's name.
    pub fn find_all<'a>(&'a self, name: &str) -> Vec<(&'a str, &'a Element)> {
        let mut found = Vec::new();
        self.find_into(name, &mut found);
        found
    }

    fn find_into<'a>(&'a self, name: &str, found: &mut Vec<(&'a str, &'a Element)>) {
        for e in self.elements() {
            if e.name == name {
                found.push((self.name.as_str(), e));
            }
            e.find_into(name, found);
        }
    }

    /// The names of every element below this one.
    pub fn names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        for e in self.elements() {
            names.push(e.name.as_str());
            names.extend(e.names());
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_elements_text_and_entities() {
        let root = parse("<p>a &lt;li&gt; <code>x&amp;amp;</code><br>b<!-- c --></p>\n<li>open");
        let p = root.elements().next().unwrap();
        assert_eq!(p.name, "p");
        assert_eq!(p.text(), "a <li> x&amp;\nb");
        assert_eq!(root.names(), ["p", "code", "br", "li"]);
        assert_eq!(root.find_all("code")[0].0, "p");
    }
}
