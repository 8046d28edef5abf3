use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ParagraphProps {
    pub index: usize,
    pub text: AttrValue,
}

/// One paragraph of the document, rendered as text (never as HTML).
#[function_component(Paragraph)]
pub fn paragraph(props: &ParagraphProps) -> Html {
    html! {
        <p class="para" data-p={ props.index.to_string() }>{ props.text.clone() }</p>
    }
}
