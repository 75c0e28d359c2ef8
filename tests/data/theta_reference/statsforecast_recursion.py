"""The Fiorucci et al. (2016) Theta state recursion, checked against
statsforecast 2.1.1's compiled one (`statsforecast._lib.theta`), and the
5-step forecasts at initial level 50, alpha 0.4, theta 2.5 on
AirPassengers[1:20] that `src/models/theta.rs` tests against.

Run: /opt/anchors-venv/bin/python statsforecast_recursion.py
Prints, per model type, the largest difference between this recursion and
statsforecast's residuals and states (0.0), statsforecast's objective, and
its forecasts.
"""
import numpy as np
from statsforecast._lib import theta as T
y = np.array([112.,118,132,129,121,135,148,148,136,119,104,118,115,126,141,135,125,149,170,170])
def init(y, dyn, l0, a, th):
    s = np.zeros(5)
    s[0] = a*y[0] + (1-a)*l0; s[1]=y[0]
    if dyn:
        s[2]=y[0]; s[3]=0; s[4]=y[0]
    else:
        n=len(y); Bn = 6*(2*np.mean(np.arange(1,n+1)*y)-(1+n)*np.mean(y))/(n**2-1); An=np.mean(y)-(n+1)*Bn/2
        s[2]=An; s[3]=Bn; s[4]=l0+(1-1/th)*(An+Bn)
    return s
def upd(S, i, dyn, a, th, y, usemu):
    level, meany, An, Bn = S[i-1][:4]
    new = np.zeros(5)
    new[4] = level + (1-1/th)*(An*(1-a)**i + Bn*(1-(1-a)**(i+1))/a)
    if usemu: y = new[4]
    new[0] = a*y+(1-a)*level
    new[1] = (i*meany+y)/(i+1)
    if dyn:
        new[3] = ((i-1)*Bn + 6*(y-meany)/(i+1))/(i+2)
        new[2] = new[1]-new[3]*(i+2)/2
    else:
        new[2]=An; new[3]=Bn
    S.append(new)
def calc(y, dyn, l0, a, th):
    S=[init(y,dyn,l0,a,th)]
    e=np.zeros(len(y)); e[0]=y[0]-S[0][4]
    for i in range(1,len(y)):
        S2=list(S); upd(S2,i,dyn,a,th,0,1); f=S2[-1][4]
        e[i]=y[i]-f
        upd(S,i,dyn,a,th,y[i],0)
    return e, np.array(S)
for mt,dyn in [(T.ModelType.STM,False),(T.ModelType.OTM,False),(T.ModelType.DSTM,True),(T.ModelType.DOTM,True)]:
    out = T.pegels_resid(y, mt, 50.0, 0.4, 2.5, 3)
    amse,e,states,mse = out
    e2,S = calc(y,dyn,50.0,0.4,2.5)
    print(mt, np.max(np.abs(e-e2)), np.max(np.abs(states-S)), mse, np.sum(e[3:]**2)/len(e[3:]), np.mean((e[3:])**2))
    fc=np.empty(5); T.forecast(states, len(y), mt, fc, 0.4, 2.5); print(fc)
