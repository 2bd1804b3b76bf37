//! Push notifications on your devices: turn them on for this browser, see every device
//! that receives them, and remove any.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::{AppError, PushDevice};
use crate::serverfns::push::{get_push_key, list_push_devices, subscribe_push, unsubscribe_push};
use crate::ui::feedback::{Empty, ErrorNotice, Loading};
use crate::ui::push::{current_endpoint, subscribe, unsubscribe_here};
use crate::ui::time::{format_when, Tz};

/// The panel's data, made at the top of the page so the browser hydrates what the
/// server rendered.
#[derive(Clone, Copy)]
pub struct PushState {
    changes: RwSignal<u32>,
    devices: Resource<Result<Vec<PushDevice>, AppError>>,
}

impl PushState {
    pub fn new() -> Self {
        let changes = RwSignal::new(0);
        let devices = Resource::new(move || changes.get(), |_| list_push_devices());
        Self { changes, devices }
    }
}

/// Subscribes this browser and tells the server; the browser's refusal comes back as
/// a sentence for the person.
async fn turn_on() -> Result<(), String> {
    let key = get_push_key().await.map_err(|e| e.message)?;
    let input = subscribe(&key.public_key).await?;
    subscribe_push(input).await.map_err(|e| e.message)?;
    Ok(())
}

/// Removes a device; when it is this one, the browser's subscription ends too.
async fn remove(id: Uuid, here: bool) -> Result<(), String> {
    unsubscribe_push(id).await.map_err(|e| e.message)?;
    if here {
        unsubscribe_here().await;
    }
    Ok(())
}

#[component]
pub fn PushPanel(state: PushState, tz: Tz) -> impl IntoView {
    let PushState { changes, devices } = state;
    let this_endpoint = RwSignal::new(None::<String>);
    let refresh_endpoint =
        move || leptos::task::spawn_local(async move { this_endpoint.set(current_endpoint().await) });
    Effect::new(move |_| refresh_endpoint());
    let enable = Action::new_local(|_: &()| turn_on());
    let drop = Action::new_local(|(id, here): &(Uuid, bool)| remove(*id, *here));
    Effect::new(move || {
        // Both read every time, so that neither stops being followed.
        let (on, off) = (enable.value().get(), drop.value().get());
        if matches!(on, Some(Ok(()))) || matches!(off, Some(Ok(()))) {
            changes.update(|n| *n += 1);
            refresh_endpoint();
        }
    });
    let error = move || {
        let (on, off) = (enable.value().get(), drop.value().get());
        on.and_then(Result::err).or_else(|| off.and_then(Result::err))
    };
    view! {
        <section class="card stack" aria-labelledby="push-heading">
            <div class="page-head">
                <h2 id="push-heading">"Push notifications"</h2>
                <button type="button" class="primary" disabled=move || enable.pending().get()
                    on:click=move |_| { enable.dispatch(()); }>
                    {move || if enable.pending().get() { "Turning on…" } else { "Turn on for this device" }}
                </button>
            </div>
            <p class="muted">
                "Notifications reach the devices below even when Tandem is closed. Which kinds are pushed is chosen in the Notifications table."
            </p>
            {move || error().map(|message| view! { <p class="notice notice-error" role="alert">{message}</p> })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match devices.await {
                        Ok(list) if list.is_empty() => view! {
                            <Empty><p>"No device receives push notifications yet."</p></Empty>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="access-list" aria-label="Devices with push notifications">
                                {list.into_iter().map(|device| view! { <DeviceRow device tz this_endpoint drop /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DeviceRow(
    device: PushDevice,
    tz: Tz,
    this_endpoint: RwSignal<Option<String>>,
    drop: Action<(Uuid, bool), Result<(), String>>,
) -> impl IntoView {
    let endpoint = StoredValue::new(device.endpoint.clone());
    let here = move || this_endpoint.with(|e| endpoint.with_value(|mine| e.as_deref() == Some(mine.as_str())));
    let id = device.id;
    view! {
        <li class="access-row">
            <span>
                <strong>{device.device.clone()}</strong>
                {move || here().then(|| view! { " " <span class="pill">"This device"</span> })}
                <span class="muted">" · since "{format_when(device.created_at, tz)}</span>
            </span>
            <button type="button" aria-label=format!("Stop push notifications on {}", device.device)
                disabled=move || drop.pending().get()
                on:click=move |_| { drop.dispatch((id, here())); }>
                "Remove"
            </button>
        </li>
    }
}
