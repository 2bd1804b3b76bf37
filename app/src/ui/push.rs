//! The browser's side of push: the service worker (which also makes Tandem installable)
//! and this device's push subscription. Only the browser runs these; on the server
//! they answer that there is no browser.

use crate::domain::NewPushSubscription;

/// Registers `/sw.js`, which shows pushed notifications and opens their task on a click.
pub fn register_service_worker() {
    #[cfg(feature = "hydrate")]
    browser::register();
}

/// This device's subscription endpoint, if it has one.
pub async fn current_endpoint() -> Option<String> {
    #[cfg(feature = "hydrate")]
    return browser::current_endpoint().await;
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Asks for permission to notify and subscribes this device with the server's key,
/// naming it after the browser and its system.
pub async fn subscribe(public_key: &str) -> Result<NewPushSubscription, String> {
    #[cfg(feature = "hydrate")]
    return browser::subscribe(public_key).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = public_key;
        Err("push needs a browser".into())
    }
}

/// Ends this device's subscription in the browser (the server forgets it separately).
pub async fn unsubscribe_here() {
    #[cfg(feature = "hydrate")]
    browser::unsubscribe().await;
}

/// "Chrome on Android", from what the browser says of itself.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn device_name(user_agent: &str) -> String {
    let browser =
        [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
            .into_iter()
            .find(|(mark, _)| user_agent.contains(mark))
            .map_or("A browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map(|(_, name)| name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Notification, NotificationPermission, PushManager, PushSubscription, ServiceWorkerRegistration};

    use crate::domain::NewPushSubscription;

    pub fn register() {
        let Some(window) = web_sys::window() else { return };
        if !js_sys::Reflect::has(&window.navigator(), &"serviceWorker".into()).unwrap_or(false) {
            return;
        }
        // A failed registration leaves the page working as before; push then says why.
        let _ = window.navigator().service_worker().register("/sw.js");
    }

    async fn push_manager() -> Result<PushManager, String> {
        let window = web_sys::window().ok_or("no window")?;
        let navigator = window.navigator();
        if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false)
            || !js_sys::Reflect::has(&window, &"PushManager".into()).unwrap_or(false)
        {
            return Err("This browser cannot receive push notifications.".into());
        }
        let ready = navigator.service_worker().ready().map_err(describe)?;
        let registration: ServiceWorkerRegistration = JsFuture::from(ready).await.map_err(describe)?.unchecked_into();
        registration.push_manager().map_err(describe)
    }

    pub async fn current_endpoint() -> Option<String> {
        let found = JsFuture::from(push_manager().await.ok()?.get_subscription().ok()?).await.ok()?;
        found.dyn_into::<PushSubscription>().ok().map(|s| s.endpoint())
    }

    pub async fn subscribe(public_key: &str) -> Result<NewPushSubscription, String> {
        let manager = push_manager().await?;
        let agent = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
        let asked = Notification::request_permission().map_err(describe)?;
        JsFuture::from(asked).await.map_err(describe)?;
        if Notification::permission() != NotificationPermission::Granted {
            return Err("Notifications are blocked for this site; allow them in the browser's site settings.".into());
        }
        let key = decode_base64url(public_key).ok_or("the server's key is not base64url")?;
        let options = web_sys::PushSubscriptionOptionsInit::new();
        options.set_user_visible_only(true);
        options.set_application_server_key(&js_sys::Uint8Array::from(key.as_slice()).into());
        let subscribed = manager.subscribe_with_options(&options).map_err(describe)?;
        let subscription = JsFuture::from(subscribed).await.map_err(describe)?;
        let json = js_sys::JSON::stringify(&subscription).map_err(describe)?;
        let mut input: NewPushSubscription =
            serde_json::from_str(&String::from(json)).map_err(|e| format!("the browser's subscription: {e}"))?;
        input.device = Some(super::device_name(&agent));
        Ok(input)
    }

    pub async fn unsubscribe() {
        let Ok(manager) = push_manager().await else { return };
        let Ok(found) = manager.get_subscription() else { return };
        if let Ok(Ok(subscription)) = JsFuture::from(found).await.map(|s| s.dyn_into::<PushSubscription>()) {
            if let Ok(done) = subscription.unsubscribe() {
                let _ = JsFuture::from(done).await;
            }
        }
    }

    /// A browser's error as a sentence.
    fn describe(error: JsValue) -> String {
        let message = js_sys::Reflect::get(&error, &"message".into()).ok().and_then(|m| m.as_string());
        let text = message.or_else(|| error.as_string()).unwrap_or_else(|| "unknown error".into());
        format!("The browser could not turn push on: {text}")
    }

    fn decode_base64url(text: &str) -> Option<Vec<u8>> {
        let mut bits = 0u32;
        let mut count = 0;
        let mut out = Vec::with_capacity(text.len() * 3 / 4);
        for c in text.trim_end_matches('=').bytes() {
            let value = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'-' | b'+' => 62,
                b'_' | b'/' => 63,
                _ => return None,
            };
            bits = (bits << 6) | u32::from(value);
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::device_name;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
        assert_eq!(device_name(android), "Chrome on Android");
        let mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";
        assert_eq!(device_name(mac), "Safari on macOS");
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
        assert_eq!(device_name(firefox), "Firefox on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0";
        assert_eq!(device_name(edge), "Edge on Windows");
        assert_eq!(device_name("curl/8"), "A browser");
    }
}
