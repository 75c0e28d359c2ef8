//! The ETS taxonomy: error × trend × season, and the three-letter model codes.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Additive or multiplicative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Component {
    None,
    Additive,
    Multiplicative,
}

impl Component {
    fn letter(self) -> char {
        match self {
            Component::None => 'N',
            Component::Additive => 'A',
            Component::Multiplicative => 'M',
        }
    }

    fn from_letter(c: char) -> Option<Component> {
        match c {
            'N' => Some(Component::None),
            'A' => Some(Component::Additive),
            'M' => Some(Component::Multiplicative),
            _ => None,
        }
    }
}

/// One ETS model form, e.g. `MAdM`: multiplicative error, additive damped
/// trend, multiplicative season.
///
/// ```
/// use salesplan::forecast::models::ets::EtsSpec;
/// let spec: EtsSpec = "MAdM".parse().unwrap();
/// assert!(spec.damped);
/// assert_eq!(spec.to_string(), "MAdM");
/// assert!("MNX".parse::<EtsSpec>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EtsSpec {
    /// Additive or multiplicative (never `None`).
    pub error: Component,
    pub trend: Component,
    pub damped: bool,
    pub season: Component,
}

impl EtsSpec {
    /// All 30 forms: error {A, M} × trend {N, A, Ad, M, Md} × season {N, A, M}.
    pub fn all() -> Vec<EtsSpec> {
        let mut out = Vec::with_capacity(30);
        for error in [Component::Additive, Component::Multiplicative] {
            for (trend, damped) in [
                (Component::None, false),
                (Component::Additive, false),
                (Component::Additive, true),
                (Component::Multiplicative, false),
                (Component::Multiplicative, true),
            ] {
                for season in [
                    Component::None,
                    Component::Additive,
                    Component::Multiplicative,
                ] {
                    out.push(EtsSpec {
                        error,
                        trend,
                        damped,
                        season,
                    });
                }
            }
        }
        out
    }

    pub fn has_trend(&self) -> bool {
        self.trend != Component::None
    }

    pub fn has_season(&self) -> bool {
        self.season != Component::None
    }

    /// Whether the model has any multiplicative part (needs positive data).
    pub fn is_multiplicative(&self) -> bool {
        [self.error, self.trend, self.season].contains(&Component::Multiplicative)
    }

    /// The prediction-interval class of Hyndman et al. (2008, ch. 6):
    /// 1–3 have analytic variances, 4–5 need simulation.
    pub fn interval_class(&self) -> u8 {
        use Component::*;
        match (self.error, self.trend, self.season) {
            (Additive, None | Additive, None | Additive) => 1,
            (Multiplicative, None | Additive, None | Additive) => 2,
            (Multiplicative, None | Additive, Multiplicative) => 3,
            (Multiplicative, Multiplicative, _) => 4,
            _ => 5,
        }
    }
}

impl std::fmt::Display for EtsSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}{}{}",
            self.error.letter(),
            self.trend.letter(),
            if self.damped { "d" } else { "" },
            self.season.letter()
        )
    }
}

impl std::str::FromStr for EtsSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<EtsSpec> {
        let bad = || {
            Error::InvalidParameter {
            name: "ETS model",
            reason: format!(
                "'{s}' is not an ETS code (error A|M, trend N|A|Ad|M|Md, season N|A|M, e.g. ANN, AAdM)"
            ),
        }
        };
        let c: Vec<char> = s.trim().chars().collect();
        let (damped, season_at) = match c.len() {
            3 => (false, 2),
            4 if c[2] == 'd' => (true, 3),
            _ => return Err(bad()),
        };
        let error = Component::from_letter(c[0]).ok_or_else(bad)?;
        let trend = Component::from_letter(c[1]).ok_or_else(bad)?;
        let season = Component::from_letter(c[season_at]).ok_or_else(bad)?;
        if error == Component::None || (damped && trend == Component::None) {
            return Err(bad());
        }
        Ok(EtsSpec {
            error,
            trend,
            damped,
            season,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_thirty_round_trip() {
        let all = EtsSpec::all();
        assert_eq!(all.len(), 30);
        for s in all {
            assert_eq!(s.to_string().parse::<EtsSpec>().unwrap(), s);
        }
    }
}
