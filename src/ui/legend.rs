//! The legend: what each colour and line means, from the project's own label set.

use yew::prelude::*;

use super::block::colour_of;
use crate::model::labels::describe;

#[derive(Properties, PartialEq)]
pub struct LegendProps {
    pub labels: Vec<String>,
}

#[function_component(Legend)]
pub fn legend(props: &LegendProps) -> Html {
    html! {
        <section class="legend" aria-labelledby="legend-title">
            <h2 id="legend-title">{ "Legend" }</h2>
            <ul class="legend-types">
                { for props.labels.iter().enumerate().map(|(i, l)| html! {
                    <li title={describe(l).map(str::to_string)}>
                        <span class={classes!("swatch", format!("ent-{}", colour_of(&props.labels, l)))} aria-hidden="true"></span>
                        { l.clone() }
                        if i < 9 { <kbd>{ i + 1 }</kbd> }
                    </li>
                }) }
            </ul>
            <ul class="legend-kinds">
                <li><span class="sample-ent" aria-hidden="true">{ "Abc" }</span>{ " entity: tint by type, type chip above its end" }</li>
                <li><span class="sample-quote" aria-hidden="true">{ "Abc" }</span>{ " quote: solid underline, brackets at both ends" }</li>
                <li><span class="sample-claim" aria-hidden="true">{ "Abc" }</span>{ " claim: dashed underline" }</li>
                <li><span class="sample-cue" aria-hidden="true">{ "Abc" }</span>{ " cue of a quote: dotted overline" }</li>
            </ul>
        </section>
    }
}
