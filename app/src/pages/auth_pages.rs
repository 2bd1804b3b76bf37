//! Sign-in and account creation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::domain::{encode_component, safe_next, AppError, SignInFailure, SignInOptions};
use crate::serverfns::auth::{Register, SignIn};
use crate::serverfns::identities::get_sign_in_options;
use crate::ui::feedback::{FieldError, FormError, Loading};
use crate::ui::session::reload_to;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let next = next_path();
    let options = Resource::new(|| (), |_| get_sign_in_options());
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            reload_to(&next.get_untracked());
        }
    });
    let form = move || {
        view! {
                <ActionForm action attr:class="stack" attr:aria-label="Sign in">
                    <FormError error />
                    <label>
                        "Email"
                        <input type="email" name="email" autocomplete="email" required />
                    </label>
                    <label>
                        "Password"
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    <input type="hidden" name="next" prop:value=next />
                    <button type="submit" class="primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <p class="muted">"New here? " <A href=move || with_next("/register", &next.get())>"Create an account"</A></p>
        }
    };
    view! {
        <Title text="Sign in" />
        <section class="card narrow stack">
            <h1>"Sign in"</h1>
            <ProviderFailure />
            <WaysIn options next password=form verb="Sign in" />
        </section>
    }
    .into_any()
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let next = next_path();
    let options = Resource::new(|| (), |_| get_sign_in_options());
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            reload_to(&next.get_untracked());
        }
    });
    let form = move || {
        view! {
                <ActionForm action attr:class="stack" attr:aria-label="Create account">
                    <FormError error />
                    <label>
                        "Name"
                        <input type="text" name="name" autocomplete="name" required maxlength="100" />
                    </label>
                    <FieldError error field="name" />
                    <label>
                        "Email"
                        <input type="email" name="email" autocomplete="email" required />
                    </label>
                    <FieldError error field="email" />
                    <label>
                        "Password"
                        <input type="password" name="password" autocomplete="new-password" required minlength="8" />
                    </label>
                    <FieldError error field="password" />
                    <input type="hidden" name="next" prop:value=next />
                    <button type="submit" class="primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Creating…" } else { "Create account" }}
                    </button>
                </ActionForm>
                <p class="muted">"Already have an account? " <A href=move || with_next("/login", &next.get())>"Sign in"</A></p>
        }
    };
    view! {
        <Title text="Create account" />
        <section class="card narrow stack">
            <h1>"Create your account"</h1>
            <WaysIn options next password=form verb="Continue" />
        </section>
    }
    .into_any()
}

/// A button per configured provider, then the password form when password sign-in is on.
#[component]
fn WaysIn<F, V>(
    options: Resource<Result<SignInOptions, AppError>>,
    next: Memo<String>,
    password: F,
    verb: &'static str,
) -> impl IntoView
where
    F: Fn() -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=move || view! { <Loading /> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => {
                        let any_provider = !options.providers.is_empty();
                        let buttons = options.providers.into_iter().map(|p| {
                            let href = move || with_next(&format!("/auth/{}/login", encode_component(&p.name)), &next.get());
                            view! {
                                <a class="button provider" href=href rel="external">{format!("{verb} with {}", p.label)}</a>
                            }
                        }).collect_view();
                        view! {
                            <div class="providers stack">{buttons}</div>
                            {(any_provider && options.password).then(|| view! { <p class="divider" role="separator"><span>"or"</span></p> })}
                            {if options.password {
                                password().into_any()
                            } else {
                                view! { <p class="muted">"Password sign-in is turned off on this instance."</p> }.into_any()
                            }}
                        }.into_any()
                    }
                    // Without the options the password form is still offered: the server decides.
                    Err(_) => password().into_any(),
                }
            })}
        </Suspense>
    }
}

/// Why the last provider sign-in failed, from the `?error=` it came back with.
#[component]
pub fn ProviderFailure() -> impl IntoView {
    let query = use_query_map();
    let failure = move || query.read().get("error").and_then(|code| SignInFailure::from_code(&code));
    view! {
        <Show when=move || failure().is_some()>
            <p class="notice notice-error" role="alert">{move || failure().map(SignInFailure::message)}</p>
        </Show>
    }
}

/// The `?next=` of the page's address, when it is a path on this site; else `/`.
fn next_path() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| safe_next(query.read().get("next").as_deref()))
}

/// `page` keeping the place to return to after signing in.
fn with_next(page: &str, next: &str) -> String {
    if next == "/" {
        page.to_owned()
    } else {
        format!("{page}?next={}", encode_component(next))
    }
}
