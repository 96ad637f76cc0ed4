//! Dutch mail texts: askama templates under `templates/mail/` (see the module documentation of
//! [`crate::mail`] for the pattern).

use askama::Template;

use super::OutgoingMail;

/// A mail text with its subject. The template renders the plain-text body.
pub trait MailTemplate: Template {
    /// The subject line, in Dutch.
    fn subject(&self) -> String;
}

/// Renders a text template as a mail body: trailing blank lines removed and exactly one final
/// line break, whatever the template file ends with.
pub fn render_text<T: Template>(template: &T) -> Result<String, askama::Error> {
    let rendered = template.render()?;
    let mut body = rendered.trim_end().to_owned();
    body.push('\n');
    Ok(body)
}

/// Renders `template` into a mail for `to`, ready for [`super::enqueue`].
pub fn compose<T: MailTemplate>(
    to: impl Into<String>,
    template: &T,
) -> Result<OutgoingMail, askama::Error> {
    Ok(OutgoingMail {
        to: to.into(),
        subject: template.subject(),
        body_text: render_text(template)?,
        related: None,
    })
}

/// The test message (`templates/mail/test_message.txt`): checks that mail arrives, Dutch
/// characters included, and serves as the example of the pattern.
#[derive(Debug, Clone, Template)]
#[template(path = "mail/test_message.txt")]
pub struct TestMail {
    pub naam: String,
    pub gemeente: String,
}

impl MailTemplate for TestMail {
    fn subject(&self) -> String {
        format!("Testbericht voor {}: e-mail werkt ✓", self.gemeente)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> TestMail {
        TestMail {
            naam: "Zoë Peeters".into(),
            gemeente: "Sint-Niklaas & <Temse>".into(),
        }
    }

    #[test]
    fn the_test_mail_renders_dutch_text_without_html_escaping() {
        let body = render_text(&example()).unwrap();
        assert!(body.starts_with("Beste Zoë Peeters,\n"), "{body}");
        assert!(body.contains("voor Sint-Niklaas & <Temse>."), "{body}");
        assert!(body.contains("ë, é, ï en €"), "{body}");
        assert!(body.contains("Met vriendelijke groeten,"), "{body}");
        assert!(body.ends_with("niet gelezen.\n"), "{body:?}");
    }

    #[test]
    fn compose_takes_the_subject_from_the_template() {
        let mail = compose("zoe@example.be", &example()).unwrap();
        assert_eq!(mail.to, "zoe@example.be");
        assert_eq!(
            mail.subject,
            "Testbericht voor Sint-Niklaas & <Temse>: e-mail werkt ✓"
        );
        assert_eq!(mail.related, None);
    }
}
